#!/bin/bash
# rabbitmq.Dockerfile's entrypoint: the first user from RABBITMQ_DEFAULT_USER/PASS, reachable
# from the network (not only from loopback), then the server in the foreground.
set -euo pipefail
umask 077
cat >"$RABBITMQ_CONFIG_FILE.conf" <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:?RABBITMQ_DEFAULT_USER is not set}
default_pass = ${RABBITMQ_DEFAULT_PASS:?RABBITMQ_DEFAULT_PASS is not set}
loopback_users = none
CONF
exec /usr/lib/rabbitmq/bin/rabbitmq-server
