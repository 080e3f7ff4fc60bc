"""Every image's HEALTHCHECK: does this container's process answer?

A web process (gunicorn, or boot.sh still starting ``web``) must answer ``GET /healthz`` on
PORT (8000); any other process (consumer, relay, mailer, sweeper) must answer ``GET /metrics``
on METRICS_PORT, the port its probes and Prometheus look at. Exit 0 when it answers 200,
1 otherwise (Docker and podman count three failures in a row as unhealthy).
"""
from __future__ import annotations

import os
import sys
import urllib.request


def target(cmdline: list[str], env: dict[str, str]) -> str | None:
    """The URL to ask, from PID 1's command line; None when the process serves nothing."""
    if any("gunicorn" in arg for arg in cmdline) or cmdline[-1:] == ["web"]:
        return f"http://127.0.0.1:{env.get('PORT', '8000')}/healthz"
    if env.get("METRICS_PORT"):
        return f"http://127.0.0.1:{env['METRICS_PORT']}/metrics"
    return None


def main() -> int:
    with open("/proc/1/cmdline", "rb") as f:
        cmdline = [arg.decode(errors="replace") for arg in f.read().split(b"\0") if arg]
    url = target(cmdline, dict(os.environ))
    if url is None:
        print("no METRICS_PORT: this process serves nothing to ask", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return 0 if answer.status == 200 else 1
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
