# The membership service: web, consumer and relay all run from this image (deploy/boot.sh <process>).
# Build from the repository root:  docker build -f deploy/docker/membership.Dockerfile -t portal-membership .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}
ENV PORTAL_PART=membership
USER root
COPY services/membership/requirements.txt services/membership/requirements.txt
RUN pip install -r services/membership/requirements.txt
COPY services/membership services/membership
USER 10001:10001
EXPOSE 8000
CMD ["web"]
