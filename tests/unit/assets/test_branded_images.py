"""Branded images: JPEG or PNG, 4:3, bounded, stored without metadata."""

import io
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from services.assets.domain import AssetRejected, check_asset
from services.assets.raster import strip_jpeg, strip_png

from .corpus import encode, picture, pixels, png_header_only, read

PRIVATE_BYTES = [b"Exif", b"Acme Phones", b"shot at home", b"secret", b"Jane Secret", b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"]


def code_for(data: bytes, **options) -> str | None:
    try:
        check_asset("branded-image", data, **options)
    except AssetRejected as refused:
        return refused.code
    return None


@pytest.mark.parametrize("name", ["exif-gps.jpg", "progressive.jpg", "text-chunks.png"])
def test_a_stored_image_keeps_its_exact_pixels_but_no_metadata(name):
    upload = read(name)
    stored = check_asset("branded-image", upload).data
    assert pixels(stored) == pixels(upload)
    assert not [secret for secret in PRIVATE_BYTES if secret in stored]
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert not {"exif", "comment", "xmp", "icc_profile", "Author", "Comment", "Description"} & set(image.info)


def test_the_gps_position_of_a_phone_photo_is_not_stored():
    with Image.open(io.BytesIO(read("exif-gps.jpg"))) as upload:
        assert upload.getexif().get_ifd(0x8825)  # the upload does say where it was shot
    stored = check_asset("branded-image", read("exif-gps.jpg")).data
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(0x8825)


def test_a_portrait_sensor_photo_shown_as_landscape_keeps_only_its_orientation():
    checked = check_asset("branded-image", read("rotated-portrait.jpg"))
    assert (checked.width, checked.height) == (400, 300)
    assert pixels(checked.data) == pixels(read("rotated-portrait.jpg"))
    with Image.open(io.BytesIO(checked.data)) as image:
        assert dict(image.getexif()) == {0x0112: 6}


def test_a_landscape_sensor_photo_shown_as_portrait_is_refused_as_not_4_by_3():
    with pytest.raises(AssetRejected) as refused:
        check_asset("branded-image", read("rotated-landscape.jpg"))
    assert refused.value.code == "wrong_aspect_ratio"
    assert "300x400" in refused.value.detail


def test_a_jpeg_with_a_png_appended_is_stored_without_it():
    stored = check_asset("branded-image", read("polyglot-jpeg-then-png.jpg")).data
    assert b"\x89PNG" not in stored
    assert stored.endswith(b"\xff\xd9")


def test_a_png_with_a_jpeg_appended_is_refused_as_a_polyglot():
    with pytest.raises(AssetRejected) as refused:
        check_asset("branded-image", read("polyglot-png-then-jpeg.png"))
    assert refused.value.code == "unsupported_type"


def test_a_jpeg_hiding_a_png_in_a_comment_is_stored_without_it():
    jpeg = encode(picture(400, 300), "JPEG", comment=read("ratio-4x3.png"))
    assert b"\x89PNG" in jpeg
    assert b"\x89PNG" not in check_asset("branded-image", jpeg).data


@pytest.mark.parametrize(("width", "expected"), [(396, None), (400, None), (404, None), (395, "wrong_aspect_ratio"), (405, "wrong_aspect_ratio")])
def test_the_aspect_ratio_may_be_off_4_by_3_by_at_most_1_percent(width, expected):
    assert code_for(encode(picture(width, 300), "PNG")) == expected


def test_a_png_header_claiming_50000_by_50000_pixels_is_refused_before_decoding():
    assert code_for(read("bomb-header.png")) == "image_too_large"


def test_a_20_megapixel_image_is_refused_under_the_16_megapixel_limit():
    assert code_for(png_header_only(5200, 3900)) == "image_too_large"


def test_a_png_with_nothing_to_strip_is_stored_as_uploaded():
    clean = read("ratio-4x3.png")
    assert check_asset("branded-image", clean).data == clean


def test_the_pixel_limit_can_be_lowered():
    assert code_for(read("ratio-4x3.png"), max_pixels=120_000) is None
    assert code_for(read("ratio-4x3.png"), max_pixels=119_999) == "image_too_large"


@pytest.mark.parametrize(("name", "fraction"), [("ratio-4x3.png", 0.5), ("ratio-4x3.png", 0.99), ("exif-gps.jpg", 0.5), ("exif-gps.jpg", 0.98)])
def test_a_truncated_image_is_refused_as_invalid(name, fraction):
    data = read(name)
    assert code_for(data[: int(len(data) * fraction)]) == "image_invalid"


def test_a_png_with_a_corrupt_chunk_is_refused_as_invalid():
    data = bytearray(read("ratio-4x3.png"))
    data[200] ^= 0xFF
    assert code_for(bytes(data)) == "image_invalid"


def with_idat(png: bytes, change) -> bytes:
    """The PNG with its single IDAT chunk's data changed and its CRC made valid again."""
    start = png.index(b"IDAT")
    (length,) = struct.unpack(">I", png[start - 4 : start])
    idat = change(png[start + 4 : start + 4 + length])
    chunk = struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
    return png[: start - 4] + chunk + png[start + 8 + length :]


def test_a_png_with_broken_compressed_pixels_but_valid_crcs_is_refused_as_invalid():
    assert code_for(with_idat(read("ratio-4x3.png"), lambda idat: idat[:100] + b"\0" * 40 + idat[140:])) == "image_invalid"


def test_a_png_whose_compressed_pixels_stop_early_is_refused_as_invalid():
    assert code_for(with_idat(read("ratio-4x3.png"), lambda idat: idat[: len(idat) // 2])) == "image_invalid"


@pytest.mark.parametrize("junk", [b"\xff\xd8\xff", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_magic_bytes_alone_are_refused_as_invalid(junk):
    assert code_for(junk) == "image_invalid"


PNG_MODES = st.sampled_from(["RGB", "RGBA", "L", "LA", "P", "1", "I;16"])
JPEG_MODES = st.sampled_from(["RGB", "L", "CMYK"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=PNG_MODES, width=st.integers(1, 64), height=st.integers(1, 64), interlace=st.booleans())
def test_stripping_a_png_never_changes_a_pixel(mode, width, height, interlace):
    original = encode(picture(width, height, mode), "PNG", interlace=interlace)
    assert pixels(strip_png(original)) == pixels(original)


@settings(max_examples=25, deadline=None)
@given(
    mode=JPEG_MODES,
    width=st.integers(1, 64),
    height=st.integers(1, 64),
    quality=st.integers(30, 100),
    subsampling=st.sampled_from([0, 1, 2]),
    progressive=st.booleans(),
    restart_blocks=st.sampled_from([0, 1, 3]),
)
def test_stripping_a_jpeg_never_changes_a_pixel(mode, width, height, quality, subsampling, progressive, restart_blocks):
    options = {"quality": quality, "subsampling": subsampling, "progressive": progressive}
    original = encode(picture(width, height, mode), "JPEG", comment=b"c", restart_marker_blocks=restart_blocks, **options)
    stored, orientation = strip_jpeg(original)
    assert orientation == 1
    assert pixels(stored) == pixels(original)
    with Image.open(io.BytesIO(stored)) as image:
        assert "comment" not in image.info
