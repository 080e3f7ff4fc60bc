"""Build every image of the suite with podman, report their sizes and check them.

    python -m deploy.docker.build                 # the Python base, portal-base, every part, the infra
    python -m deploy.docker.build catalog --tag 2 # one part again, as a new version (portal-catalog:2)

Order: the Python image (``python:3.11-slim`` where it can be pulled; on this machine
deploy/docker/python-image.sh makes it from Debian's packages and PYTHON_IMAGE names it),
then ``portal-base`` (deploy/docker/base.Dockerfile), then one image per part of
deploy/processes.py (deploy/docker/<part>.Dockerfile), then the infrastructure Compose runs
from Debian's packages (deploy/compose/debian/*.Dockerfile).

Builds reach the package registries with ``--network host``, the host's CA certificates and
pip configuration mounted read-only at the same place (nothing of them stays in a layer).
Each image is checked: at most MAX_MB megabytes, a non-root user, a healthcheck, and no
secret (no environment variable or file that looks like one). Exit 1 on any failure.
"""
from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from deploy.processes import PARTS

ROOT = Path(__file__).resolve().parents[2]
DEBIAN = ROOT / "deploy" / "compose" / "debian"
PYTHON_IMAGE = os.environ.get("PYTHON_IMAGE", "localhost/portal-python:3.11-bookworm")
MAX_MB = 250
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|_KEY$|^KEY$|ACCESS_KEY")
PIP_CONFIGS = ("/etc/pip.conf", "/etc/xdg/pip/pip.conf", "/root/.config/pip/pip.conf", "/root/.pip/pip.conf")
# the bundle file only: a package configured during the build may write beside it (ssl-cert does)
CA_CERTS = ("/etc/ssl/certs/ca-certificates.crt",)


def parts() -> list[str]:
    """Every part with a Dockerfile (a part being added may not have one yet)."""
    return [part for part in PARTS if (ROOT / "deploy" / "docker" / f"{part}.Dockerfile").exists()]


def infra() -> list[str]:
    return sorted(p.name.removesuffix(".Dockerfile") for p in DEBIAN.glob("*.Dockerfile"))


def host_mounts() -> list[str]:
    """--volume arguments for the host's CA certificates, pip configuration and the local
    folders and files that configuration names (find-links, constraints), all read-only."""
    paths = [p for p in CA_CERTS if Path(p).exists()]
    for conf in PIP_CONFIGS:
        if not Path(conf).is_file():
            continue
        paths.append(conf)
        parser = configparser.ConfigParser()
        parser.read(conf)
        for section in parser.sections():
            for value in parser[section].values():
                for word in value.split():
                    path = word.removeprefix("file://").rstrip("/")
                    if path.endswith("/simple"):  # a local index links to files beside it
                        path = str(Path(path).parent)
                    if path.startswith("/") and Path(path).exists():
                        paths.append(path)
    args = []
    for path in dict.fromkeys(paths):
        args += ["--volume", f"{path}:{path}:ro"]
    return args


def build(dockerfile: Path, tag: str, build_args: dict[str, str] | None = None, labels: dict[str, str] | None = None,
          context: Path = ROOT) -> float:
    command = ["podman", "build", "--format", "docker", "--network", "host", *host_mounts(),
               "-f", str(dockerfile), "-t", tag]
    for name, value in (build_args or {}).items():
        command += ["--build-arg", f"{name}={value}"]
    for name, value in (labels or {}).items():
        command += ["--label", f"{name}={value}"]
    started = time.monotonic()
    print(f"build: {tag} from {dockerfile.relative_to(ROOT)}", flush=True)
    done = subprocess.run([*command, str(context)], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"build: {tag} failed")
    return time.monotonic() - started


def inspect(tag: str) -> dict:
    return json.loads(subprocess.run(["podman", "image", "inspect", tag], capture_output=True, text=True,
                                     check=True).stdout)[0]


def secret_files(tag: str) -> list[str]:
    """Files in the image that look like secrets: .env files, private keys, key stores
    (CA bundles and the Python packages' own test data are certificates, not secrets)."""
    script = r"""
find / -xdev \( -path /proc -o -path /sys -o -path /usr/share/ca-certificates -o -path /etc/ssl/certs \) -prune -o -type f \
  \( -name '.env' -o -name '*.env' -o -name 'id_rsa*' -o -name 'id_ed25519*' -o -name '*.key' -o -name '*.p12' \
     -o -name '*.pfx' -o -name '.netrc' -o -name '.pgpass' -o -name 'credentials' \) -print
for dir in /app /keys /etc /root /home /var/lib/portal; do
  [ -d "$dir" ] && grep -rlsI -e '-----BEGIN [A-Z ]*PRIVATE KEY-----' "$dir" || true
done
"""
    done = subprocess.run(["podman", "run", "--rm", "--user", "0", "--network", "none", "--entrypoint", "sh", tag,
                           "-c", script], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"check: cannot look inside {tag}: {done.stderr[-500:]}")
    return [line for line in done.stdout.splitlines() if line and "/site-packages/" not in line
            and "/dist-packages/" not in line and not line.startswith("/etc/ssl/")]


def problems(tag: str, part_image: bool) -> list[str]:
    """What is wrong with one built image."""
    found = []
    data = inspect(tag)
    config = data.get("Config") or {}
    size_mb = data["Size"] / 1e6
    if part_image and size_mb > MAX_MB:
        found.append(f"{size_mb:.0f} MB, over {MAX_MB} MB")
    user = (config.get("User") or "").split(":")[0]
    if part_image and user in ("", "root", "0"):
        found.append(f"runs as {user or 'root'}")
    if not (data.get("Healthcheck") or config.get("Healthcheck")):
        found.append("no healthcheck")
    for entry in config.get("Env") or []:
        name, _, value = entry.partition("=")
        if SECRET_NAME.search(name) and value:
            found.append(f"secret-looking variable baked in: {name}")
    found += [f"secret-looking file: {path}" for path in secret_files(tag)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", help="only these parts (default: the base, every part and the infra)")
    parser.add_argument("--tag", default="latest", help="tag of the part images (default latest)")
    parser.add_argument("--label", action="append", default=[], help="NAME=VALUE added to the part images")
    parser.add_argument("--no-check", action="store_true", help="build only")
    parser.add_argument("--context", type=Path, default=ROOT, help="build context of the part images (default: the repository)")
    args = parser.parse_args(argv)
    labels = dict(item.split("=", 1) for item in args.label)
    everything = not args.parts
    chosen = args.parts or parts()
    seconds: dict[str, float] = {}
    if everything:
        subprocess.run([str(ROOT / "deploy" / "docker" / "python-image.sh"), PYTHON_IMAGE], check=True)
        seconds["portal-base"] = build(ROOT / "deploy" / "docker" / "base.Dockerfile", "portal-base:latest",
                                       {"PYTHON_IMAGE": PYTHON_IMAGE})
    for part in chosen:
        seconds[f"portal-{part}:{args.tag}"] = build(ROOT / "deploy" / "docker" / f"{part}.Dockerfile",
                                                     f"portal-{part}:{args.tag}", labels=labels, context=args.context)
    if everything:
        for name in infra():
            seconds[f"portal-{name}"] = build(DEBIAN / f"{name}.Dockerfile", f"portal-{name}:latest",
                                              {"PYTHON_IMAGE": PYTHON_IMAGE})
    if args.no_check:
        return 0
    failed = False
    print(f"{'image':<32} {'MB':>6} {'build s':>8}  checks")
    for tag, took in seconds.items():
        part_image = tag.split(":")[0].removeprefix("portal-") in PARTS or tag.startswith("portal-base")
        found = problems(tag if ":" in tag else f"{tag}:latest", part_image)
        size = inspect(tag if ":" in tag else f"{tag}:latest")["Size"] / 1e6
        print(f"{tag:<32} {size:>6.0f} {took:>8.0f}  {'; '.join(found) or 'ok'}", flush=True)
        failed |= bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
