#!/usr/bin/env bash
# Boot one process of one part of the portal; every image's entrypoint.
#
#   PORTAL_PART=<part> deploy/boot.sh web|consumer|relay|mailer|sweeper|deliver|migrate
#
# <part> is membership, catalog, eligibility, assets, webhooks or gateway; which processes a part
# runs is listed in deploy/processes.py (mailer: membership only, sweeper: eligibility only,
# deliver: webhooks only).
#
# 1. Waits (deploy/wait_for.py, WAIT_TIMEOUT seconds, default 60) for the part's database
#    when <PART>_DATABASE_URL is PostgreSQL, and for the broker when BROKER_URL is set.
# 2. web and migrate: applies the part's migrations (`python -m <module> migrate`), then
#    declares its queue when the part consumes events, so that no event published later
#    finds no queue. web skips this with SKIP_MIGRATIONS=1 (Kubernetes runs a migration
#    Job instead); migrate always runs it, since that Job carries the same variable.
# 3. execs the process, so that it is PID 1 and receives SIGTERM itself.
set -euo pipefail

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

fail() {
  echo "boot.sh: $1" >&2
  exit 64
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
if [ $# -gt 1 ]; then
  usage
  exit 64
fi

# The application root (/app in the images): wait_for.py, gunicorn.conf.py and the code.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

process="${1:-web}"
part="${PORTAL_PART:-}"
case "$part" in
  gateway) module=gateway ;;
  membership|catalog|eligibility|assets|webhooks) module="services.$part" ;;
  "") fail "PORTAL_PART is not set (membership, catalog, eligibility, assets, webhooks or gateway)" ;;
  *) fail "unknown part '$part' (membership, catalog, eligibility, assets, webhooks or gateway)" ;;
esac

# Does the part run this process? deploy/processes.py is the one list of them.
part_runs() {
  python - "$part" "$1" <<'PY'
import sys
from deploy.processes import PARTS
sys.exit(0 if sys.argv[2] in PARTS[sys.argv[1]] else 1)
PY
}

if [ "$process" != "migrate" ] && ! part_runs "$process"; then
  fail "$part runs no '$process' process (see deploy/processes.py; or migrate)"
fi

wait_for_dependencies() {
  local db_var db_url targets=()
  db_var="$(tr '[:lower:]' '[:upper:]' <<<"$part")_DATABASE_URL"
  db_url="${!db_var:-}"
  case "$db_url" in
    postgresql:*|postgresql+*|postgres:*) targets+=("$db_url") ;;
  esac
  if [ -n "${BROKER_URL:-}" ]; then
    targets+=("$BROKER_URL")
  fi
  if [ ${#targets[@]} -gt 0 ]; then
    python deploy/wait_for.py "${targets[@]}"
  fi
}

prepare() {
  python -m "$module" migrate
  if part_runs consumer; then
    python -m "$module" declare
  fi
}

wait_for_dependencies

case "$process" in
  migrate)
    prepare
    ;;
  web)
    if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then
      prepare
    fi
    if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
      # gunicorn's workers share their metrics through this folder; start from an empty one
      mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
      find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -type f -delete
    fi
    exec gunicorn -c deploy/gunicorn.conf.py "$module.wsgi:app"
    ;;
  consumer)
    exec python -m "$module" consume
    ;;
  relay)
    exec python -m "$module" relay
    ;;
  mailer)
    exec python -m "$module" send-mail
    ;;
  sweeper)
    exec python -m "$module" sweep --every "${ELIGIBILITY_SWEEP_SECONDS:-300}"
    ;;
  deliver)
    exec python -m "$module" deliver
    ;;
esac
