"""One suite for the storage interface, run against the local folder and an S3 endpoint."""
from __future__ import annotations

import hashlib

import pytest

from services.assets.storage import LocalStorage, S3Storage, object_key

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 1000


def key_of(data: bytes, extension: str = "png") -> str:
    return object_key("partner-a", hashlib.sha256(data).hexdigest(), extension)


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "assets")
    s3 = request.getfixturevalue("s3")
    return S3Storage(s3.client(), s3.bucket_name())


def test_a_stored_object_reads_back_byte_for_byte(storage):
    storage.put(key_of(PNG), PNG, "image/png")
    with storage.open(key_of(PNG)) as stream:
        assert stream.read() == PNG
    assert storage.exists(key_of(PNG))


def test_storing_the_same_content_again_changes_nothing(storage):
    storage.put(key_of(PNG), PNG, "image/png")
    storage.put(key_of(PNG), PNG, "image/png")
    with storage.open(key_of(PNG)) as stream:
        assert stream.read() == PNG


def test_a_large_object_streams_in_chunks(storage):
    data = bytes(range(256)) * 40_000
    storage.put(key_of(data), data, "image/png")
    with storage.open(key_of(data)) as stream:
        first = stream.read(65536)
        rest = stream.read()
    assert first + rest == data and len(first) == 65536


def test_an_unknown_key_is_a_file_not_found(storage):
    storage.ping()
    assert not storage.exists(key_of(b"never stored"))
    with pytest.raises(FileNotFoundError):
        storage.open(key_of(b"never stored"))


@pytest.mark.parametrize("key", ["../etc/passwd", "partner-a/../../x.png", "/abs/olute.png",
                                 "partner-a/notasha.png", "partner-a/" + "a" * 64 + ".exe"])
def test_keys_that_are_not_content_addresses_are_refused(storage, key):
    with pytest.raises(ValueError):
        storage.put(key, b"x", "image/png")
    with pytest.raises(ValueError):
        storage.open(key)


def test_the_storage_is_ready_from_scratch(storage):
    storage.ping()
    storage.put(key_of(PNG), PNG, "image/png")
    assert storage.exists(key_of(PNG))


def test_the_s3_bucket_is_created_when_missing(s3):
    bucket = s3.bucket_name()
    S3Storage(s3.client(), bucket).put(key_of(PNG), PNG, "image/png")
    assert s3.objects(bucket) == [key_of(PNG)]
    head = s3.client().head_object(Bucket=bucket, Key=key_of(PNG))
    assert head["ContentType"] == "image/png"


def test_the_local_folder_holds_no_half_written_files(tmp_path):
    storage = LocalStorage(tmp_path / "assets")
    storage.put(key_of(PNG), PNG, "image/png")
    assert [p.name for p in (tmp_path / "assets").rglob("*") if p.is_file()] == [key_of(PNG).split("/")[1]]


def test_an_unreachable_s3_endpoint_is_not_ready():
    import boto3
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    from tests.support.infra import free_port

    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{free_port()}", region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    with pytest.raises(EndpointConnectionError):
        S3Storage(client, "assets").ping()
