# The gateway: public pages, the portal and the front door of the API.
# Build from the repository root:  docker build -f deploy/docker/gateway.Dockerfile -t portal-gateway .
ARG BASE_IMAGE=portal-base:latest
FROM ${BASE_IMAGE}
ENV PORTAL_PART=gateway
USER root
COPY gateway/requirements.txt gateway/requirements.txt
RUN pip install -r gateway/requirements.txt
COPY gateway gateway
USER 10001:10001
EXPOSE 8000
CMD ["web"]
