"""Where the bytes of brand assets live: S3 (or any S3 endpoint) or a local folder.

Keys are content-addressed (`<partner_id>/<sha256>.<ext>`), so an object never
changes once written: `put` of a key that exists does nothing, caches may keep
an object forever, and an object orphaned by a failed database commit is
harmless (a retry writes the same key).
"""
from __future__ import annotations

import abc
import logging
import os
import re
import threading
import uuid
from pathlib import Path
from typing import BinaryIO, Iterator

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
DEFAULT_BUCKET = "portal-assets"
KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}/[0-9a-f]{64}\.(svg|png|jpg|webp)$")


def object_key(partner_id: str, sha256: str, extension: str) -> str:
    """The content address of an asset: `<partner_id>/<sha256>.<ext>`."""
    return f"{partner_id}/{sha256}.{extension}"


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not an asset key: {key!r}")
    return key


class AssetStorage(abc.ABC):
    """The bytes of brand assets, by content-addressed key."""

    @abc.abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`; a key that is already stored is left as it is."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object; FileNotFoundError when there is none.

        The caller closes it.
        """

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise when the storage cannot be reached (the readiness check)."""


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The stream's bytes in chunks; closes it at the end (or when the reader stops)."""
    try:
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk
    finally:
        stream.close()


class LocalStorage(AssetStorage):
    """A folder on this machine: for development and the embedded default only.

    Writes go to a temporary file renamed into place, so a reader never sees a
    half-written object. Several hosts cannot share it; use S3 in production.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        log.warning("assets are stored in the local folder %s: for development only", self.root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def ping(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"{self.root} is not writable")


class S3Storage(AssetStorage):
    """A bucket on an S3 endpoint (AWS S3, MinIO), through boto3.

    The bucket is created on first use when it is missing and the credentials
    allow it; without that right it must exist already.
    """

    def __init__(self, client, bucket: str):
        self.client, self.bucket = client, bucket
        self._bucket_ready = threading.Event()

    def _ensure_bucket(self) -> None:
        if self._bucket_ready.is_set():
            return
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise
            self._create_bucket()
        self._bucket_ready.set()

    def _create_bucket(self) -> None:
        from botocore.exceptions import ClientError

        region = self.client.meta.region_name
        options = {} if region in (None, "us-east-1") else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            self.client.create_bucket(Bucket=self.bucket, **options)
        except ClientError as exc:
            if _error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._ensure_bucket()
        if self.exists(key):
            return
        self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type,
                               CacheControl="public, max-age=31536000, immutable")

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=_checked(key))["Body"]
        except ClientError as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NoSuchBucket"):
                raise FileNotFoundError(key) from exc
            raise

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked(key))
            return True
        except ClientError as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NotFound", "NoSuchBucket"):
                return False
            raise

    def ping(self) -> None:
        self._ensure_bucket()


def _error_code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def make_storage(config) -> AssetStorage:
    """S3 when `S3_ENDPOINT_URL` or `S3_BUCKET` is set, else a folder under the data folder."""
    if not (config.s3_endpoint_url or config.s3_bucket):
        return LocalStorage(config.data_dir / "assets")
    import boto3
    from botocore.config import Config as BotoConfig

    client = boto3.client("s3", endpoint_url=config.s3_endpoint_url,
                          region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                          config=BotoConfig(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3}))
    return S3Storage(client, config.s3_bucket or DEFAULT_BUCKET)
