# The gateway: public pages, the browser portal and the front door of the API.
# One image runs every process of the part: deploy/boot.sh web, consumer or migrate
# (the default command is web; pass another process as the command, e.g. `consumer`).
# Build from the repository root, after the base image (deploy/docker/base.Dockerfile):
#   docker build -f deploy/docker/gateway.Dockerfile -t portal-gateway .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}

ENV PORTAL_PART=gateway

USER root
COPY gateway/requirements.txt gateway/requirements.txt
RUN pip install --no-compile -r gateway/requirements.txt
COPY gateway gateway
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
