#!/bin/bash
# One database and one role per service; each password comes from .env (<SERVICE>_DB_PASSWORD).
set -euo pipefail
for service in membership catalog eligibility assets webhooks gateway; do
  password_var="${service^^}_DB_PASSWORD"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
       --set=role="$service" --set=password="${!password_var:?$password_var is not set}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
