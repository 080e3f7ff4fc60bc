"""Settings from the environment, one config class per service.

Every deployment understands the variables of API.md's configuration table.
Unset production variables mean the embedded backends: SQLite files, the
file bus, a local asset folder and mail written to a folder, all under
``PORTAL_DATA_DIR``.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("membership", "catalog", "eligibility", "assets", "webhooks")
PORT_OFFSETS = {"gateway": 0, "membership": 1, "catalog": 2, "eligibility": 3, "assets": 4, "webhooks": 6}
ADMIN_PORT_OFFSET = 5  # the gateway's admin port (GATEWAY_ADMIN_PORT) in the local runner: gateway port + 5


def _env(environ, name, default=None):
    value = environ.get(name)
    return value if value not in (None, "") else default


@dataclass
class Config:
    """What one process of one service needs to know about its world."""

    service: str
    data_dir: Path
    gateway_port: int
    public_url: str
    operator_token: str
    demo: bool
    database_url: str
    broker_url: str | None
    s3_endpoint_url: str | None
    s3_bucket: str | None
    smtp_url: str | None
    redis_url: str | None
    service_urls: dict = field(default_factory=dict)
    delivery_limit: int = 5
    max_request_bytes: int = 1 * 1024 * 1024
    testing: bool = False

    @classmethod
    def from_env(cls, service: str, environ=None) -> "Config":
        env = os.environ if environ is None else environ
        data_dir = Path(_env(env, "PORTAL_DATA_DIR", "./var")).resolve()
        port = int(_env(env, "PORTAL_GATEWAY_PORT", "8080"))
        return cls(
            service=service,
            data_dir=data_dir,
            gateway_port=port,
            public_url=_env(env, "PORTAL_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/"),
            operator_token=_env(env, "PORTAL_OPERATOR_TOKEN") or shared_secret(data_dir, "operator-token"),
            demo=_env(env, "PORTAL_DEMO", "1") == "1",
            database_url=_env(env, f"{service.upper()}_DATABASE_URL")
            or f"sqlite:///{data_dir / (service + '.sqlite3')}",
            broker_url=_env(env, "BROKER_URL"),
            s3_endpoint_url=_env(env, "S3_ENDPOINT_URL"),
            s3_bucket=_env(env, "S3_BUCKET"),
            smtp_url=_env(env, "SMTP_URL"),
            redis_url=_env(env, "REDIS_URL"),
            service_urls=service_urls(env, port),
            delivery_limit=int(_env(env, "BUS_DELIVERY_LIMIT", "5")),
            max_request_bytes=int(_env(env, "PORTAL_MAX_REQUEST_BYTES", str(1024 * 1024))),
        )

    @property
    def bus_dir(self) -> Path:
        return self.data_dir / "bus"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def url_of(self, service: str) -> str:
        return self.service_urls[service]


def service_urls(env, gateway_port: int) -> dict:
    """Where each service listens: `<SERVICE>_URL`, else the gateway port plus an offset."""
    return {
        name: _env(env, f"{name.upper()}_URL", f"http://127.0.0.1:{gateway_port + offset}")
        for name, offset in PORT_OFFSETS.items()
    }


def shared_secret(data_dir: Path, name: str) -> str:
    """An embedded default secret: random, kept in the data folder so every process shares it."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(token)
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, path)  # first writer wins; others read its token
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
