# PostgreSQL 15 from Debian's packages, for machines that cannot pull postgres:15
# (deploy/compose/docker-compose.debian.yml). It keeps the official image's interface that the
# Compose file uses: POSTGRES_PASSWORD (and POSTGRES_USER, default postgres), data in
# /var/lib/postgresql/data, and the scripts of /docker-entrypoint-initdb.d run once on a new
# data folder (deploy/compose/initdb/01-databases.sh: one database and role per service).
ARG PYTHON_IMAGE=localhost/portal-python:3.11-bookworm
FROM ${PYTHON_IMAGE}

USER root
RUN mkdir -p /etc/postgresql-common \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
    && apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
       -o Dpkg::Options::=--force-confold postgresql-15 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* \
    && rm -f /etc/ssl/private/ssl-cert-snakeoil.key /etc/ssl/certs/ssl-cert-snakeoil.pem \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY deploy/compose/debian/postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
USER postgres
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"]
ENTRYPOINT ["bash", "/usr/local/bin/postgres-entrypoint.sh"]
