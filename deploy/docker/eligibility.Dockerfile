# The eligibility service: web, consumer and relay all run from this image (deploy/boot.sh <process>).
# Build from the repository root:  docker build -f deploy/docker/eligibility.Dockerfile -t portal-eligibility .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}
ENV PORTAL_PART=eligibility
USER root
COPY services/eligibility/requirements.txt services/eligibility/requirements.txt
RUN pip install -r services/eligibility/requirements.txt
COPY services/eligibility services/eligibility
USER 10001:10001
EXPOSE 8000
CMD ["web"]
