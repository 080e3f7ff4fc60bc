# The catalog service: experts pages, use cases, curation, featured offerings, publishing.
# One image runs every process of the part: deploy/boot.sh web, consumer, relay or migrate
# (the default command is web; pass another process as the command, e.g. `consumer`).
# Build from the repository root, after the base image (deploy/docker/base.Dockerfile):
#   docker build -f deploy/docker/catalog.Dockerfile -t portal-catalog .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}

ENV PORTAL_PART=catalog

USER root
COPY services/catalog/requirements.txt services/catalog/requirements.txt
RUN pip install --no-compile -r services/catalog/requirements.txt
COPY services/catalog services/catalog
USER 10001:10001

EXPOSE 8000
ENTRYPOINT ["deploy/boot.sh"]
CMD ["web"]
