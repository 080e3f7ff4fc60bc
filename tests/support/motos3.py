"""An S3 endpoint for tests: moto's server as a separate process on a free port, spoken to
over HTTP (it does not check presigned-URL signatures or expiry: no security tests on it)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.support.infra import free_port
from tests.support.procs import Proc, wait_http_ok

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class MotoS3:
    def __init__(self):
        self.port = free_port()
        self.proc = Proc("moto-s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                         {**CREDENTIALS, "PATH": "/usr/bin:/bin"}, Path(tempfile.mkdtemp(prefix="moto-")))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, bucket: str = "experts-portal-test") -> dict:
        return {"S3_ENDPOINT_URL": self.url, "S3_BUCKET": bucket, **CREDENTIALS}

    def start(self) -> "MotoS3":
        self.proc.start()
        wait_http_ok(f"{self.url}/moto-api/", timeout=60)
        return self

    def stop(self) -> None:
        self.proc.stop()
