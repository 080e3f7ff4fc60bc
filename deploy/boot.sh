#!/usr/bin/env bash
# Boot one process of one part:  boot.sh web|consumer|relay|migrate
# PORTAL_PART names the part (membership, catalog, eligibility, assets, gateway).
# Waits for the database and the broker, runs migrations (web and migrate; skip with
# SKIP_MIGRATIONS=1 where a migration Job runs them), then execs the process.
set -euo pipefail
process="${1:-web}"
part="${PORTAL_PART:?PORTAL_PART must name the part to run}"
case "$part" in
  gateway) module=gateway ;;
  membership|catalog|eligibility|assets) module="services.$part" ;;
  *) echo "unknown part: $part" >&2; exit 64 ;;
esac
db_var="$(echo "$part" | tr '[:lower:]' '[:upper:]')_DATABASE_URL"
python deploy/wait_for.py "${!db_var:-}" "${BROKER_URL:-}"
case "$process" in
  migrate)
    exec python -m "$module" migrate ;;
  web)
    if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then python -m "$module" migrate; fi
    exec gunicorn -c deploy/gunicorn.conf.py "$module.wsgi:app" ;;
  consumer)
    exec python -m "$module" consume ;;
  relay)
    exec python -m "$module" relay ;;
  *)
    echo "unknown process: $process (web, consumer, relay, migrate)" >&2; exit 64 ;;
esac
