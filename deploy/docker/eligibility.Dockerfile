# The eligibility service: the talent directory, the criteria and their verdicts.
# One image runs every process of the part: deploy/boot.sh web, consumer, relay, sweeper or migrate
# (the default command is web; pass another process as the command, e.g. `consumer`).
# Build from the repository root, after the base image (deploy/docker/base.Dockerfile):
#   docker build -f deploy/docker/eligibility.Dockerfile -t portal-eligibility .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}

ENV PORTAL_PART=eligibility

USER root
COPY services/eligibility/requirements.txt services/eligibility/requirements.txt
RUN pip install --no-compile -r services/eligibility/requirements.txt
COPY services/eligibility services/eligibility
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
