"""Wait until the servers behind the given URLs accept TCP connections.

    python deploy/wait_for.py [URL ...]    (empty or SQLite URLs are skipped)

WAIT_TIMEOUT seconds in all (default 60); exits 1 when one never answers.
Standard library only, so it runs before anything else is installed.
"""
from __future__ import annotations

import os
import socket
import sys
import time
from urllib.parse import urlsplit

DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "amqp": 5672, "amqps": 5671,
                 "redis": 6379, "smtp": 25, "http": 80, "https": 443}


def endpoint(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if not url or scheme == "sqlite" or not parts.hostname:
        return None
    return parts.hostname, parts.port or DEFAULT_PORTS.get(scheme, 80)


def wait(host: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def main(urls: list[str]) -> int:
    deadline = time.monotonic() + float(os.environ.get("WAIT_TIMEOUT", "60"))
    for url in urls:
        target = endpoint(url)
        if target and not wait(*target, deadline):
            print(f"wait_for: {target[0]}:{target[1]} did not answer in time", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print(__doc__)
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
