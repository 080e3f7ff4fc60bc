"""Wait until the servers behind some URLs accept TCP connections (deploy/boot.sh runs it
before migrations and before the process starts).

    python deploy/wait_for.py [--timeout SECONDS] [URL ...]

Each URL is a database or broker URL: ``postgresql://user:pw@db:5432/catalog``,
``amqp://user:pw@rabbitmq:5672/``. Empty arguments and URLs with no host (SQLite files,
for example) are skipped, so callers can pass unset variables as they are. All URLs share
one deadline: ``--timeout``, else ``WAIT_TIMEOUT``, else 60 seconds. Exits 0 once every
server answered, 1 when one did not in time, 2 on a malformed URL. Only host and port
are ever printed, never credentials.

Standard library only: it runs before anything of the application is importable.
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from urllib.parse import urlsplit

DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "amqp": 5672, "amqps": 5671,
                 "pyamqp": 5672, "redis": 6379, "rediss": 6379, "smtp": 25, "smtps": 465,
                 "http": 80, "https": 443}
ATTEMPT_SECONDS = 2.0
PAUSE_SECONDS = 0.5


def endpoint(url: str) -> tuple[str, int] | None:
    """The (host, port) a URL points at; None when there is nothing to wait for.
    Raises ValueError for a URL whose port cannot be read or whose scheme has no known port."""
    if not url:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()  # postgresql+psycopg -> postgresql
    if scheme == "sqlite" or not parts.hostname:
        return None
    port = parts.port  # ValueError when not a number or out of range
    if port is None:
        if scheme not in DEFAULT_PORTS:
            raise ValueError(f"no port in URL and none known for scheme {scheme!r}")
        port = DEFAULT_PORTS[scheme]
    return parts.hostname, port


def reachable(host: str, port: int, deadline: float) -> bool:
    """Try to connect until one attempt succeeds or the deadline passes."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        try:
            with socket.create_connection((host, port), timeout=min(ATTEMPT_SECONDS, left)):
                return True
        except OSError:  # refused, unreachable, not resolvable yet, timed out
            time.sleep(min(PAUSE_SECONDS, max(0.0, deadline - time.monotonic())))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="wait_for.py", description="Wait until the servers behind the URLs accept TCP connections.",
        epilog="Empty arguments and URLs without a host (sqlite:///...) are skipped.")
    parser.add_argument("urls", nargs="*", metavar="URL", help="database or broker URL")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("WAIT_TIMEOUT") or 60),
                        help="seconds to wait for all of them (default: $WAIT_TIMEOUT or 60)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        targets = [t for t in (endpoint(url) for url in args.urls) if t]
    except ValueError as exc:
        print(f"wait_for: malformed URL: {exc}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.timeout
    for host, port in targets:
        started = time.monotonic()
        if not reachable(host, port, deadline):
            print(f"wait_for: {host}:{port} did not answer within {args.timeout:g}s", file=sys.stderr)
            return 1
        print(f"wait_for: {host}:{port} is up ({time.monotonic() - started:.1f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
