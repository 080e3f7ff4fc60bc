# RabbitMQ with its management plugin from Debian's packages, for machines that cannot pull
# rabbitmq:3.13-management (deploy/compose/docker-compose.debian.yml). Like the official image,
# RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS name the first user; data in /var/lib/rabbitmq.
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* \
    && rabbitmq-plugins enable --offline rabbitmq_management >/dev/null \
    && chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /etc/rabbitmq
COPY deploy/compose/debian/rabbitmq-entrypoint.sh /usr/local/bin/rabbitmq-entrypoint.sh
ENV HOME=/var/lib/rabbitmq \
    RABBITMQ_CONFIG_FILE=/var/lib/rabbitmq/rabbitmq \
    RABBITMQ_LOGS=- \
    RABBITMQ_SASL_LOGS=-
USER rabbitmq
EXPOSE 5672 15672
# its AMQP port answering (rabbitmq-diagnostics starts an Erlang VM: seconds on a busy host)
HEALTHCHECK --interval=10s --timeout=5s --retries=20 \
  CMD ["python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 5672), 2).close()"]
ENTRYPOINT ["bash", "/usr/local/bin/rabbitmq-entrypoint.sh"]
