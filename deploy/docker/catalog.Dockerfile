# The catalog service: web, consumer and relay all run from this image (deploy/boot.sh <process>).
# Build from the repository root:  docker build -f deploy/docker/catalog.Dockerfile -t portal-catalog .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}
ENV PORTAL_PART=catalog
USER root
COPY services/catalog/requirements.txt services/catalog/requirements.txt
RUN pip install -r services/catalog/requirements.txt
COPY services/catalog services/catalog
USER 10001:10001
EXPOSE 8000
CMD ["web"]
