"""The whole suite started by its own runner (`python -m deploy.run`, what `make run` does),
on embedded defaults or on the production backends of this machine; the production one
behind Debian's nginx on deploy/nginx/gateway.conf, as Compose runs it."""
from __future__ import annotations

import os
import random
import re
import signal
import socket
import uuid
from pathlib import Path

import requests

from services.common.config import ADMIN_PORT_OFFSET, PORT_OFFSETS
from tests.support.infra import free_port
from tests.support.nginx import Nginx
from tests.support.procs import Proc, ROOT, wait_http_ok

PARTS = tuple(PORT_OFFSETS)


def free_port_block(size: int = len(PORT_OFFSETS) + 1) -> int:
    """A base port such that base .. base+size-1 are all free (every part's, and the gateway's admin port)."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - size)
        if all(_is_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no free block of ports")


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Stack:
    """A running suite: the gateway URL, the operator token, and a way to call it. With
    ``proxied``, nginx runs in front of the gateway and ``url`` is nginx's address (the
    visitor's way in); ``url_of("gateway")`` stays the gateway's own port."""

    def __init__(self, name: str, work_dir: Path, env: dict, proxied: bool = False):
        self.name, self.work_dir = name, Path(work_dir)
        self.port = free_port_block()
        self.proxy = None
        if proxied:
            proxy_port = next(p for p in iter(free_port, None) if not self.port <= p <= self.port + max(ADMIN_PORT_OFFSET, *PORT_OFFSETS.values()))
            self.proxy = Nginx(self.work_dir, f"127.0.0.1:{self.port}", proxy_port)
        if self.proxy is not None:  # what Compose sets for the gateway behind its nginx
            env = {"PORTAL_PUBLIC_URL": self.proxy.url, "GATEWAY_TRUSTED_PROXIES": "1", **env}
        self.operator_token = f"op-{uuid.uuid4().hex}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
                    "PORTAL_DATA_DIR": str(self.work_dir / "data"), "PORTAL_GATEWAY_PORT": str(self.port),
                    "PORTAL_OPERATOR_TOKEN": self.operator_token, "PORTAL_DEMO": "0",
                    "GATEWAY_ADMIN_PORT": str(self.port + ADMIN_PORT_OFFSET),
                    "GUNICORN_WORKERS": "1", "GUNICORN_ACCESS_LOG": "",
                    "MEMBERSHIP_SIGNIN_LIMIT": "10000/minute",
                    "MEMBERSHIP_ACCEPT_LIMIT": "10000/minute", "MEMBERSHIP_SIGNUP_LIMIT": "10000/minute",
                    "MEMBERSHIP_SIGNUP_EMAIL_LIMIT": "10000/minute", "GATEWAY_REBUILD_SECONDS": "1",
                    "MEMBERSHIP_RESET_LIMIT": "10000/minute", "MEMBERSHIP_RESET_CONFIRM_LIMIT": "10000/minute",
                    "CATALOG_READ_TIMEOUT": "3",
                    "WEBHOOKS_ALLOW_PRIVATE": "1",  # the tests' receivers listen on 127.0.0.1
                    "WEBHOOKS_DISABLE_AFTER_SECONDS": "3",  # three days in production
                    "GATEWAY_API_KEY_LIMIT": "40/minute",  # 600 in production; reached by one test
                    **env}
        self.smtp = None
        self.runner = Proc(f"stack-{name}", [os.environ.get("PYTHON", _python()), "-m", "deploy.run"],
                           self.env, self.work_dir)

    @property
    def url(self) -> str:
        return self.proxy.url if self.proxy is not None else f"http://127.0.0.1:{self.port}"

    def url_of(self, part: str) -> str:
        return f"http://127.0.0.1:{self.port + PORT_OFFSETS[part]}"

    @property
    def admin_url(self) -> str:
        """The gateway's admin port: its /metrics and /readyz (not on its public port)."""
        return f"http://127.0.0.1:{self.port + ADMIN_PORT_OFFSET}"

    def ready_url(self, part: str) -> str:
        """Where a part answers /readyz: the gateway on its admin port, the others on their own."""
        return f"{self.admin_url if part == 'gateway' else self.url_of(part)}/readyz"

    def start(self) -> "Stack":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.runner.start()
        try:
            for part in PARTS:
                wait_http_ok(self.ready_url(part), timeout=90)
            if self.proxy is not None:
                self.proxy.start()
        except AssertionError as e:
            self.stop()
            raise AssertionError(f"stack {self.name} did not start ({e}):\n{self.runner.log()[-6000:]}")
        return self

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        self.runner.stop(timeout=30)

    def pid_of(self, process: str) -> int:
        """The process group of one process of the suite, e.g. ``catalog.web``, from the runner's log."""
        found = re.findall(rf"{re.escape(process)}\s+started \(pid=(\d+)\)", self.runner.log())
        if not found:
            raise AssertionError(f"{process} is not running")
        return int(found[-1])

    def pause(self, *processes: str) -> None:
        """Freeze processes (SIGSTOP to their group): as unreachable as a stopped service."""
        for process in processes:
            os.killpg(self.pid_of(process), signal.SIGSTOP)

    def resume(self, *processes: str) -> None:
        for process in processes:
            os.killpg(self.pid_of(process), signal.SIGCONT)

    # -- calling it like a partner's script would
    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def operator(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.call(method, path, self.operator_token, **kwargs)


def _python() -> str:
    import sys
    return sys.executable


def embedded_stack(work_dir: Path) -> Stack:
    return Stack("embedded", work_dir, {})


def production_stack(work_dir: Path, postgres, rabbitmq, s3=None, smtp=None) -> Stack:
    """Every process under gunicorn on PostgreSQL (a database per part), RabbitMQ, an S3
    endpoint and an SMTP server, behind nginx."""
    env = {f"{part.upper()}_DATABASE_URL": postgres.database(f"e2e_{part}") for part in PARTS}
    env["BROKER_URL"] = rabbitmq.vhost("e2e")
    env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    env["GATEWAY_GUNICORN_WORKERS"] = "2"  # as deployed: per-worker caches (API keys) are tested across two
    if s3 is not None:
        env.update(s3.env())
    if smtp is not None:
        env["SMTP_URL"] = smtp.url
    stack = Stack("production", work_dir, env, proxied=True)
    stack.smtp = smtp
    return stack
