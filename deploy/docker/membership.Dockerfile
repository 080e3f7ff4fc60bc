# The membership service: accounts, sign-in, partner companies, members, invitations.
# One image runs every process of the part: deploy/boot.sh web, relay, mailer or migrate
# (the default command is web; pass another process as the command, e.g. `relay`).
# Build from the repository root, after the base image (deploy/docker/base.Dockerfile):
#   docker build -f deploy/docker/membership.Dockerfile -t portal-membership .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}

ENV PORTAL_PART=membership

USER root
COPY services/membership/requirements.txt services/membership/requirements.txt
RUN pip install --no-compile -r services/membership/requirements.txt
COPY services/membership services/membership
# the signing keys' volume: a new named volume takes this folder's owner (web writes the first key)
RUN install -d -o 10001 -g 10001 -m 0700 /keys
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
