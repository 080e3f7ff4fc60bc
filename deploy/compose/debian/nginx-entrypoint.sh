#!/bin/bash
# nginx.Dockerfile's entrypoint: fill in the templates as the official image does, then nginx.
set -euo pipefail
filter="${NGINX_ENVSUBST_FILTER:-}"
names="$(env | cut -d= -f1 | grep -E "${filter:-.}" | sed 's/.*/${&}/' | tr '\n' ' ')"
mkdir -p /var/cache/nginx
for template in /etc/nginx/templates/*.template; do
  [ -e "$template" ] || continue
  target="/etc/nginx/conf.d/$(basename "$template" .template)"
  envsubst "$names" <"$template" >"$target"
  echo "nginx-entrypoint: $template -> $target"
done
exec "$@"
