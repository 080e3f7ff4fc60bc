# The assets service: web, consumer and relay all run from this image (deploy/boot.sh <process>).
# Build from the repository root:  docker build -f deploy/docker/assets.Dockerfile -t portal-assets .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}
ENV PORTAL_PART=assets
USER root
COPY services/assets/requirements.txt services/assets/requirements.txt
RUN pip install -r services/assets/requirements.txt
COPY services/assets services/assets
USER 10001:10001
EXPOSE 8000
CMD ["web"]
