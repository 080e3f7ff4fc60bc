# Prometheus from Debian's packages, for machines that cannot pull prom/prometheus
# (deploy/compose/docker-compose.debian.yml); configuration and rules from deploy/prometheus/.
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* \
    && install -d -o prometheus -g prometheus /prometheus
USER prometheus
EXPOSE 9090
HEALTHCHECK --interval=10s --timeout=3s --retries=10 CMD ["promtool", "check", "healthy", "--url=http://127.0.0.1:9090"]
ENTRYPOINT ["prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
