"""Debian's nginx in front of a test stack, on deploy/nginx/gateway.conf: the file Compose
mounts, its placeholders filled in as the official image's envsubst step fills them."""
from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

from tests.support.infra import free_port
from tests.support.procs import ROOT, Proc, wait_until

CONFIG = ROOT / "deploy" / "nginx" / "gateway.conf"
NGINX = "/usr/sbin/nginx"


def render(listen: str, upstream: str) -> str:
    """deploy/nginx/gateway.conf with its two placeholders filled in (what envsubst does with
    NGINX_LISTEN and NGINX_UPSTREAM in the environment); any placeholder left is an error."""
    text = CONFIG.read_text().replace("${NGINX_LISTEN}", listen).replace("${NGINX_UPSTREAM}", upstream)
    left = re.findall(r"\$\{[A-Z_]+\}", text)
    if left:
        raise ValueError(f"{CONFIG} has placeholders nobody fills in: {left}")
    return text


def main_config(work: Path, include: Path) -> str:
    """The http-context wrapper the official image's /etc/nginx/nginx.conf provides in Compose,
    with every path (pid, logs, temp folders) inside the work folder."""
    # As root (here), nginx's workers would run as `nobody`, who cannot enter pytest's 0700
    # temp folders to write request bodies: keep them as the user who started nginx.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\ndaemon off;\npid {work / 'nginx.pid'};\n"
            f"error_log {work / 'error.log'} warn;\n"
            "events { worker_connections 2048; }\n"
            f"http {{\n    access_log {work / 'access.log'};\n{temp}\n    include {include};\n}}\n")


class Nginx:
    """nginx listening on a free port of 127.0.0.1 and proxying to ``upstream`` (host:port)."""

    def __init__(self, work_dir: Path, upstream: str, port: int | None = None):
        if shutil.which(NGINX) is None:
            raise RuntimeError(f"{NGINX} is missing: `make test` installs Debian's nginx")
        self.work = Path(work_dir) / "nginx"
        self.upstream = upstream
        self.port = port or free_port()
        self.proc = Proc("nginx", [NGINX, "-p", f"{self.work}/", "-c", str(self.work / "nginx.conf"),
                                   "-e", str(self.work / "error.log")], dict(os.environ), self.work)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        self.work.mkdir(parents=True, exist_ok=True)
        include = self.work / "gateway.conf"
        include.write_text(render(f"127.0.0.1:{self.port}", self.upstream))
        (self.work / "nginx.conf").write_text(main_config(self.work, include))
        return self.work / "nginx.conf"

    def start(self, timeout: float = 30) -> "Nginx":
        self.write_config()
        self.proc.start()
        try:
            wait_until(self._listening, timeout, 0.05, f"nginx on port {self.port}")
        except AssertionError:
            self.stop()
            raise AssertionError(f"nginx did not start:\n{self.log()}")
        return self

    def _listening(self) -> bool:
        if not self.proc.alive():
            raise AssertionError("nginx exited")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.stop(timeout=10)

    def log(self) -> str:
        error_log = self.work / "error.log"
        return self.proc.log() + (error_log.read_text(errors="replace") if error_log.exists() else "")
