#!/usr/bin/env bash
# Install what `make deploy-check` needs on this kind of machine (Debian bookworm, root),
# each step only when it is missing, so that a second run does nothing:
#   - Debian's podman, runc (crun fails on this machine's cgroups), debootstrap (the Python
#     base image, deploy/docker/python-image.sh) and prometheus (promtool, and the server
#     that scrapes the Compose stack);
#   - podman's system-wide containers.conf: runc as the runtime and no default ulimits
#     (raising rlimits is not allowed here);
#   - podman-compose, pinned in deploy/docker/requirements.txt, into the project's venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

missing=()
for pair in podman:podman runc:runc debootstrap:debootstrap promtool:prometheus; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
# the prometheus package starts its own server on :9090; the check runs its own instance
if systemctl is-active --quiet prometheus 2>/dev/null; then systemctl stop prometheus || true; fi

conf=/etc/containers/containers.conf
if ! grep -qs '^default_ulimits = \[\]' "$conf" || ! grep -qs '^runtime = "runc"' "$conf"; then
  echo "setup: writing $conf (runc, no default ulimits)"
  mkdir -p /etc/containers
  [ -f "$conf" ] && cp "$conf" "$conf.before-portal"
  cat >"$conf" <<'CONF'
# Written by deploy/docker/setup.sh (make deploy-check): crun fails on this machine's cgroups,
# so podman uses runc; raising rlimits is not allowed, so containers get no default ulimits.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
CONF
fi

if ! .venv/bin/python -m pip show -q podman-compose >/dev/null 2>&1 \
   || [ "$(.venv/bin/python -m pip show podman-compose | sed -n 's/^Version: //p')" != \
        "$(sed -n 's/^podman-compose==//p' deploy/docker/requirements.txt)" ]; then
  echo "setup: pip install -r deploy/docker/requirements.txt"
  .venv/bin/python -m pip install -q -r deploy/docker/requirements.txt
fi
echo "setup: podman $(podman --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}'), $(.venv/bin/podman-compose --version 2>/dev/null | head -n1)"
