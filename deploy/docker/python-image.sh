#!/usr/bin/env bash
# Make a Python 3.11 base image from Debian's packages, for a machine that cannot pull
# python:3.11-slim (no container registry reachable):
#
#   deploy/docker/python-image.sh [IMAGE]     # default localhost/portal-python:3.11-bookworm
#
# debootstrap lays a minimal bookworm with python3, pip and the CA certificates; the apt
# caches, documentation and translations are removed; `python` and `pip` answer as in the
# official image and pip may install into /usr/local (no "externally managed" refusal).
# `podman import` turns the folder into an image. The image carries the hash of this script
# as a label: a second run with an unchanged script finds it and does nothing.
# The part images use it through their build argument:
#   podman build --build-arg PYTHON_IMAGE=localhost/portal-python:3.11-bookworm -f deploy/docker/base.Dockerfile .
set -euo pipefail

image="${1:-localhost/portal-python:3.11-bookworm}"
recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"

if [ "$(podman image inspect --format '{{ index .Labels "portal.recipe" }}' "$image" 2>/dev/null)" = "$recipe" ]; then
  echo "python-image: $image is up to date (recipe $recipe)"
  exit 0
fi

# the Debian mirror this machine's apt already uses
mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n1)"
if [ -z "$mirror" ]; then
  mirror="$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
fi
[ -n "$mirror" ] || { echo "python-image: no Debian mirror found in apt's sources" >&2; exit 1; }

root="$(mktemp -d /var/tmp/portal-python.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "python-image: debootstrap bookworm from $mirror into $root"
debootstrap --variant=minbase --include=python3,python3-pip,ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
       "$root"/usr/share/locale/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
# pip, setuptools and wheel run only while images are built: no bytecode kept for them
find "$root"/usr/lib/python3/dist-packages -name __pycache__ -type d -prune -exec rm -rf {} +
rm -f "$root"/usr/lib/python3.*/EXTERNALLY-MANAGED
ln -sf python3 "$root/usr/bin/python"

tar --numeric-owner -C "$root" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change "LABEL portal.recipe=$recipe" \
  --change 'CMD ["python3"]' \
  - "$image" >/dev/null
echo "python-image: imported $image ($(podman image inspect --format '{{.Size}}' "$image") bytes)"
