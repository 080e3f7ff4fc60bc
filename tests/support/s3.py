"""An S3 endpoint for tests: moto's server in its own process, reached over HTTP by boto3."""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import boto3

from tests.support.infra import free_port
from tests.support.procs import Proc, wait_http_ok

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


class S3Server:
    """`python -m moto.server` on a free port; each test takes a fresh bucket name."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **CREDENTIALS}
        self.proc = Proc("moto-s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                     str(self.port)], env, log_dir)

    def start(self) -> "S3Server":
        self.proc.start()
        wait_http_ok(f"{self.url}/moto-api/", timeout=30)
        return self

    def stop(self) -> None:
        self.proc.stop()

    def client(self):
        return boto3.client("s3", endpoint_url=self.url, region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
                            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])

    @staticmethod
    def bucket_name() -> str:
        return f"assets-{uuid.uuid4().hex[:12]}"

    def objects(self, bucket: str) -> list[str]:
        """Every key in `bucket` (none when the bucket does not exist)."""
        client = self.client()
        if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
            return []
        return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def s3_server(tmp_path_factory) -> S3Server:
    """Start one for a test session (use from a session fixture; stop it at the end)."""
    return S3Server(tmp_path_factory.mktemp("moto")).start()

