"""Branded images: JPEG or PNG, 4:3 within 1%, stored without metadata.

Metadata is stripped at the byte level so that the stored image decodes to
exactly the uploaded pixels:

- PNG keeps only the chunks that define pixels and colours (IHDR, PLTE,
  tRNS, IDAT, IEND, gAMA, cHRM, sRGB, sBIT, cICP, pHYs); text, eXIf, tIME,
  iCCP, APNG and private chunks are dropped. Bytes after IEND make the file
  a possible polyglot and it is refused as `unsupported_type`.
- JPEG keeps the segments needed to decode (SOFn, DHT, DAC, DQT, DRI, DNL,
  SOS and the scans), a rebuilt JFIF APP0 without thumbnail and a rebuilt
  Adobe APP14 (it tells CMYK decoders the colour transform); EXIF, XMP, ICC,
  other APPn and comments are dropped. When EXIF said the picture is
  rotated, a one-tag EXIF holding only Orientation is written back so it is
  shown upright, and the aspect ratio is checked as shown. Bytes after EOI
  (phones append preview images there) are not stored.

Then the stored bytes are opened by Pillow, limited to JPEG and PNG, and
refused when the format differs from the magic bytes (`unsupported_type`),
when width x height exceeds the pixel limit or Pillow sees a decompression
bomb (`image_too_large`), or when verify() or a full decode fails
(`image_invalid`).
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from contextlib import contextmanager

from PIL import Image

from services.assets.domain import AssetRejected, Picture

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"cICP", b"pHYs"})
_FORMATS = {"png": ("PNG", "image/png", "png"), "jpeg": ("JPEG", "image/jpeg", "jpg")}
_JPEG_KEPT = frozenset(range(0xC0, 0xD0)) - {0xC8} | {0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
_JPEG_DROPPED = frozenset(range(0xE0, 0xFF))  # APPn, JPGn, COM
_SOS, _EOI, _APP0, _APP1, _APP14 = 0xDA, 0xD9, 0xE0, 0xE1, 0xEE
_ROTATED = frozenset({5, 6, 7, 8})


def check_raster(found: str, data: bytes, *, max_pixels: int) -> Picture:
    """Accept a JPEG or PNG branded image of 4:3 or raise AssetRejected.

    `found` is the format named by the magic bytes ("jpeg" or "png").
    """
    pillow_format, content_type, extension = _FORMATS[found]
    if found == "png":
        stored, orientation = strip_png(data), 1
    else:
        stored, orientation = strip_jpeg(data)
    with _pillow_errors():
        width, height = _read_header(stored, pillow_format, max_pixels)
        if orientation in _ROTATED:
            width, height = height, width
        check_aspect_ratio(width, height)
        _decode_fully(stored)
    return Picture(content_type, extension, width, height, stored)


_TOO_MANY_PIXELS = ("This image has far too many pixels to be a photo (its header announces a decompression "
                    "bomb); export it again at a normal size, for example 1600x1200.")


def check_aspect_ratio(width: int, height: int) -> None:
    """Refuse a picture whose width:height is off 4:3 by more than 1%."""
    if 100 * abs(3 * width - 4 * height) > 4 * height:
        raise AssetRejected("wrong_aspect_ratio", f"This image is {width}x{height} pixels, which is not 4:3; the "
                                                  "branded image must be 4:3 within 1% (for example 1600x1200).")


def _invalid(detail: str) -> AssetRejected:
    """`image_invalid` with `detail` (what is wrong with the file) in a sentence a partner can act on."""
    return AssetRejected("image_invalid", f"This image cannot be read: {detail}. It may be damaged or only partly "
                                          "saved; export it again as JPEG or PNG.")


@contextmanager
def _pillow_errors():
    """Turn Pillow's bomb warnings into errors and its failures into codes."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except AssetRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise AssetRejected("image_too_large", _TOO_MANY_PIXELS) from None
        except Exception:  # Pillow raises many types on hostile input
            raise _invalid("its pixels do not decode") from None


def _read_header(stored: bytes, pillow_format: str, max_pixels: int) -> tuple[int, int]:
    with Image.open(io.BytesIO(stored), formats=["JPEG", "PNG"]) as image:
        if image.format != pillow_format:
            raise AssetRejected("unsupported_type", f"This file starts like a {pillow_format} image but is not one; "
                                                    "export it again as JPEG or PNG.")
        width, height = image.size
        if width < 1 or height < 1:
            raise _invalid(f"it is {width}x{height} pixels, which is no picture at all")
        if width * height > max_pixels:
            raise AssetRejected("image_too_large", f"This image is {width}x{height} pixels; the branded image may "
                                                   f"have at most {max_pixels:,} pixels (for example "
                                                   "4729x3547). Scale it down and export it again.")
        image.verify()
    return width, height


def _decode_fully(stored: bytes) -> None:
    """Decode every byte of the image data; a corrupt or truncated file raises.

    A JPEG is decoded at 1/8 scale: libjpeg still reads every scan, but the
    pixel buffer is 64 times smaller, which keeps a 10 MB photo's upload
    within a few tens of MB.
    """
    with Image.open(io.BytesIO(stored), formats=["JPEG", "PNG"]) as image:
        if image.format == "JPEG":
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def strip_png(data: bytes) -> bytes:
    """The PNG with only its pixel and colour chunks, CRCs checked.

    Kept chunks are referenced, not copied; a PNG that loses nothing is returned as is.
    """
    view, parts, pos = memoryview(data), [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while True:
        kind, end = _png_chunk(data, view, pos)
        if pos == len(PNG_SIGNATURE) and kind != b"IHDR":
            raise _invalid("the PNG does not start with its header (IHDR)")
        if kind in _PNG_KEPT:
            parts.append(view[pos:end])
        elif not kind[0] & 0x20:
            raise _invalid(f"the PNG holds a part no viewer knows ({kind.decode('latin-1')})")
        pos = end
        if kind == b"IEND":
            break
    if pos != len(data):
        raise AssetRejected("unsupported_type", "This PNG has other data after its end (it could be two files in "
                                                "one); export it again as a plain PNG.")
    if sum(len(part) for part in parts) == len(data):
        return data
    return b"".join(parts)


def _png_chunk(data: bytes, view: memoryview, pos: int) -> tuple[bytes, int]:
    """Type and end offset of the chunk at `pos`."""
    if pos + 12 > len(data):
        raise _invalid("the PNG file ends too early")
    length, kind = struct.unpack_from(">I4s", data, pos)
    end = pos + 12 + length
    if length > 0x7FFFFFFF or end > len(data):
        raise _invalid("the PNG file ends too early")
    if not kind.isalpha():
        raise _invalid("the PNG's structure is damaged")
    if zlib.crc32(view[pos + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
        raise _invalid(f"part of the PNG ({kind.decode()}) is damaged: its checksum does not match")
    return kind, end


def strip_jpeg(data: bytes) -> tuple[bytes, int]:
    """The JPEG with only its decoding segments, and its EXIF orientation.

    The compressed scans are copied untouched, so pixels do not change.
    """
    head: dict[int, bytes] = {}
    body: list[bytes] = []
    orientation, pos = 1, 2
    while True:
        marker, pos = _next_marker(data, pos)
        if marker == _EOI:
            break
        segment, payload, pos = _segment(data, pos)
        if marker == _SOS:
            scan_end = _scan_end(data, pos)
            body += [segment, memoryview(data)[pos:scan_end]]  # the scans are referenced, not copied
            pos = scan_end
        elif marker == _APP1 and payload.startswith(b"Exif\x00\x00") and _APP1 not in head:
            orientation = _exif_orientation(payload)
            head[_APP1] = _orientation_segment(orientation) if orientation != 1 else b""
        elif marker in (_APP0, _APP14) and marker not in head:
            head[marker] = _rebuilt_app_segment(marker, payload)
        elif marker in _JPEG_KEPT:
            body.append(segment)
        elif marker not in _JPEG_DROPPED:
            raise _invalid(f"the JPEG's structure is damaged (marker 0xFF{marker:02X})")
    ordered = [head.get(m, b"") for m in (_APP0, _APP1, _APP14)]
    return b"".join([b"\xff\xd8", *ordered, *body, b"\xff\xd9"]), orientation


def _next_marker(data: bytes, pos: int) -> tuple[int, int]:
    """The marker at `pos` (fill bytes skipped) and the offset after it."""
    if pos >= len(data) or data[pos] != 0xFF:
        raise _invalid("the JPEG's structure is damaged")
    while pos < len(data) and data[pos] == 0xFF:
        pos += 1
    if pos >= len(data):
        raise _invalid("the JPEG file ends too early")
    if data[pos] < 0xC0 or 0xD0 <= data[pos] <= 0xD8:  # TEM, RSTn and SOI have no place here
        raise _invalid(f"the JPEG's structure is damaged (marker 0xFF{data[pos]:02X})")
    return data[pos], pos + 1


def _segment(data: bytes, pos: int) -> tuple[bytes, bytes, int]:
    """(marker + segment, payload, offset after it) for the segment at `pos`."""
    if pos + 2 > len(data):
        raise _invalid("the JPEG file ends too early")
    end = pos + int.from_bytes(data[pos : pos + 2], "big")
    if end < pos + 2 or end > len(data):
        raise _invalid("the JPEG file ends too early")
    return data[pos - 2 : end], data[pos + 2 : end], end


def _scan_end(data: bytes, pos: int) -> int:
    """Offset of the marker ending the entropy-coded data that starts at `pos`."""
    while True:
        at = data.find(b"\xff", pos)
        if at < 0 or at + 1 >= len(data):
            raise _invalid("the JPEG file ends too early (it has no end marker)")
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = at + 1
            continue
        return at


def _rebuilt_app_segment(marker: int, payload: bytes) -> bytes:
    """JFIF without thumbnail, Adobe without anything after its 12 bytes, else nothing."""
    if marker == _APP0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
        kept = payload[:12] + b"\x00\x00"
    elif marker == _APP14 and payload.startswith(b"Adobe") and len(payload) >= 12:
        kept = payload[:12]
    else:
        return b""
    return bytes([0xFF, marker]) + struct.pack(">H", len(kept) + 2) + kept


def _exif_orientation(payload: bytes) -> int:
    """The Orientation (0x0112) of IFD0 of an Exif APP1 payload; 1 when unreadable."""
    tiff = payload[6:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    (ifd,) = struct.unpack_from(order + "I", tiff, 4)
    if ifd + 2 > len(tiff):
        return 1
    (count,) = struct.unpack_from(order + "H", tiff, ifd)
    for entry in range(ifd + 2, min(ifd + 2 + 12 * count, len(tiff) - 11), 12):
        tag, kind, _, value = struct.unpack_from(order + "HHIH", tiff, entry)
        if tag == 0x0112 and kind == 3:
            return value if 1 <= value <= 8 else 1
    return 1


def _orientation_segment(orientation: int) -> bytes:
    """An Exif APP1 holding nothing but the Orientation tag."""
    ifd0 = struct.pack(">HHHIHHI", 1, 0x0112, 3, 1, orientation, 0, 0)
    payload = b"Exif\x00\x00" + b"MM\x00*" + struct.pack(">I", 8) + ifd0
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload

