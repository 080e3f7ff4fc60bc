"""What assets' tests need from an S3 endpoint beyond `motos3.MotoS3` (moto's server as a
process, over HTTP): a boto3 client, fresh bucket names, and what a bucket holds."""
from __future__ import annotations

import uuid

import boto3

from tests.support.motos3 import CREDENTIALS, MotoS3


class S3Server(MotoS3):
    """moto's S3 server; each test takes a fresh bucket name."""

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
