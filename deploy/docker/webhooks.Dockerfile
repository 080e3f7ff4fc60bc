# The webhooks service: partners' endpoints, their secrets and every delivery attempt.
# One image runs every process of the part: deploy/boot.sh web, consumer, deliver or migrate
# (the default command is web; pass another process as the command, e.g. `consumer`).
# Build from the repository root, after the base image (deploy/docker/base.Dockerfile):
#   docker build -f deploy/docker/webhooks.Dockerfile -t portal-webhooks .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}

ENV PORTAL_PART=webhooks

USER root
COPY services/webhooks/requirements.txt services/webhooks/requirements.txt
RUN pip install --no-compile -r services/webhooks/requirements.txt
COPY services/webhooks services/webhooks
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
