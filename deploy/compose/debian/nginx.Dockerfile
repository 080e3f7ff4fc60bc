# nginx from Debian's packages, for machines that cannot pull nginx:1.27
# (deploy/compose/docker-compose.debian.yml). It keeps the official image's interface that the
# Compose file uses: each /etc/nginx/templates/*.template is filled in from the environment
# (only the variables NGINX_ENVSUBST_FILTER matches) into /etc/nginx/conf.d/ at start; logs go
# to stdout/stderr; temporary files go to /var/cache/nginx (a volume), so the root can be read-only.
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light gettext-base \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* \
    && rm -f /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log \
    && rm -rf /var/lib/nginx && ln -s /var/cache/nginx /var/lib/nginx \
    && install -d -o www-data -g www-data /var/cache/nginx /etc/nginx/templates \
    && sed -i 's|^pid .*|pid /run/nginx.pid;|' /etc/nginx/nginx.conf
COPY deploy/compose/debian/nginx-entrypoint.sh /usr/local/bin/nginx-entrypoint.sh
EXPOSE 8080
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD ["python3", "-c", "import os, socket; socket.create_connection(('127.0.0.1', int(os.environ.get('NGINX_LISTEN', '80'))), 2).close()"]
ENTRYPOINT ["bash", "/usr/local/bin/nginx-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
