"""What every upload goes through: its kind, its size, its real type."""

import dataclasses
import hashlib
import io

import pytest

from services.assets.domain import (
    ERROR_STATUS,
    KINDS,
    MAX_IMAGE_BYTES,
    MAX_SVG_BYTES,
    AssetRejected,
    check_asset,
    read_limited,
    sniff_type,
)

from .corpus import png_chunk, read, svg


class TrickleStream(io.BytesIO):
    """A body that arrives a few bytes per read and counts what was taken."""

    def __init__(self, data: bytes, piece: int = 7):
        super().__init__(data)
        self.piece = piece
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(min(size, self.piece) if size >= 0 else self.piece)
        self.taken += len(chunk)
        return chunk


def test_the_three_kinds_are_two_svg_logos_and_a_raster_image():
    assert {name: spec.media for name, spec in KINDS.items()} == {
        "logo-light": "svg",
        "logo-dark": "svg",
        "branded-image": "raster",
    }


def test_an_unknown_kind_is_refused_as_not_found():
    with pytest.raises(AssetRejected) as refused:
        check_asset("favicon", read("logo-24.svg"))
    assert (refused.value.code, refused.value.status) == ("unknown_kind", 404)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_empty_upload_is_refused_as_empty(kind):
    with pytest.raises(AssetRejected) as refused:
        check_asset(kind, b"")
    assert (refused.value.code, refused.value.status) == ("empty_file", 422)


def test_an_image_one_byte_over_10_mb_is_refused_as_too_large_with_413():
    image = read("ratio-4x3.png")
    oversized = image + b"\0" * (MAX_IMAGE_BYTES + 1 - len(image))
    assert len(oversized) == 10_485_761
    with pytest.raises(AssetRejected) as refused:
        check_asset("branded-image", oversized)
    assert (refused.value.code, refused.value.status) == ("file_too_large", 413)


def test_an_image_of_exactly_10_mb_is_accepted_and_loses_its_padding_chunk():
    image = read("ratio-4x3.png")
    padding = MAX_IMAGE_BYTES - len(image) - 12
    exactly = image[:33] + png_chunk(b"prVt", b"\0" * padding) + image[33:]
    assert len(exactly) == MAX_IMAGE_BYTES
    assert check_asset("branded-image", exactly).data == image


def test_a_logo_over_512_kib_is_refused_as_too_large():
    bloated = svg(body="<!--" + "x" * MAX_SVG_BYTES + "-->")
    with pytest.raises(AssetRejected) as refused:
        check_asset("logo-light", bloated)
    assert (refused.value.code, refused.value.status) == ("file_too_large", 413)


@pytest.mark.parametrize(
    ("name", "kind", "found"),
    [
        ("png-renamed.svg", "logo-light", "png"),
        ("svg-renamed.png", "branded-image", "svg"),
        ("image.gif", "branded-image", "gif"),
        ("image.webp", "branded-image", "webp"),
        ("document.pdf", "branded-image", "pdf"),
        ("ratio-4x3.png", "logo-dark", "png"),
        ("exif-gps.jpg", "logo-dark", "jpeg"),
    ],
)
def test_the_type_comes_from_the_content_never_from_the_name(name, kind, found):
    assert sniff_type(read(name)) == found
    with pytest.raises(AssetRejected) as refused:
        check_asset(kind, read(name))
    assert refused.value.code == "unsupported_type"


def test_a_checked_asset_carries_the_sha256_of_the_stored_bytes_and_cannot_change():
    checked = check_asset("branded-image", read("exif-gps.jpg"))
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest()
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.data = b""


def test_every_code_answers_422_except_too_large_413_and_unknown_kind_404():
    unusual = {code: status for code, status in ERROR_STATUS.items() if status != 422}
    assert unusual == {"file_too_large": 413, "unknown_kind": 404}
    assert AssetRejected("svg_unsafe", "x").status == 422


def test_read_limited_returns_a_body_at_or_under_the_limit():
    assert read_limited(TrickleStream(b"a" * 100), 100) == b"a" * 100
    assert read_limited(io.BytesIO(b""), 100) == b""


def test_read_limited_stops_one_byte_past_the_limit_of_an_endless_body():
    stream = TrickleStream(b"a" * 1_000_000, piece=4096)
    with pytest.raises(AssetRejected) as refused:
        read_limited(stream, 10_000, chunk_size=1024)
    assert (refused.value.code, refused.value.status) == ("file_too_large", 413)
    assert stream.taken == 10_001


def test_read_limited_counts_short_reads_correctly():
    stream = TrickleStream(b"b" * 51, piece=7)
    with pytest.raises(AssetRejected):
        read_limited(stream, 50, chunk_size=16)
    assert stream.taken == 51
