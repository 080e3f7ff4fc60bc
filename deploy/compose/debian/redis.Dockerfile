# Redis from Debian's packages, for machines that cannot pull redis:7
# (deploy/compose/docker-compose.debian.yml): the rate limits' and sessions' store, in memory.
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
USER redis
EXPOSE 6379
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD ["redis-cli", "ping"]
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
