"""Brand asset rules: which files a partner may upload, checked by content.

Pure Python (no Flask, no SQLAlchemy). The HTTP layer reads the body with
`read_limited`, calls `check_asset` and stores `CheckedAsset.data`, which is
the stripped file, never the upload as received. SVG rules live in
`services.assets.svg`, JPEG and PNG rules in `services.assets.raster`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO

MAX_IMAGE_BYTES = 10_485_760
MAX_SVG_BYTES = 512 * 1024
DEFAULT_MAX_PIXELS = 16_777_216  # 4729 x 3547 at 4:3; a 16M-pixel RGBA PNG decodes to 64 MiB
MAX_LOGO_HEIGHT_PX = 24
READ_CHUNK_BYTES = 64 * 1024

ERROR_STATUS = {
    "unknown_kind": 404,
    "empty_file": 422,
    "file_too_large": 413,
    "unsupported_type": 422,
    "svg_invalid": 422,
    "svg_unsafe": 422,
    "svg_too_tall": 422,
    "image_invalid": 422,
    "image_too_large": 422,
    "wrong_aspect_ratio": 422,
}


class AssetRejected(Exception):
    """An upload the portal refuses; `code` is the stable problem+json code.

    `status` is the HTTP status to answer with: 413 for `file_too_large`,
    404 for `unknown_kind`, 422 for everything else (see ERROR_STATUS).
    """

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = ERROR_STATUS[code]


@dataclass(frozen=True)
class AssetKind:
    """What one kind of brand asset accepts."""

    name: str
    media: str  # "svg" or "raster"
    max_bytes: int
    title: str  # how the portal names it in a sentence


KINDS = {
    "logo-light": AssetKind("logo-light", "svg", MAX_SVG_BYTES, "a logo"),
    "logo-dark": AssetKind("logo-dark", "svg", MAX_SVG_BYTES, "a logo"),
    "branded-image": AssetKind("branded-image", "raster", MAX_IMAGE_BYTES, "the branded image"),
}


def size_words(count: int) -> str:
    """A byte count as people read it: 10485760 -> "10 MB", 524288 -> "512 KB" (binary units)."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


def too_large(spec: AssetKind) -> AssetRejected:
    """`file_too_large` (413) for an upload of `spec` over its limit, in the portal's words."""
    return AssetRejected("file_too_large", f"The file is larger than {size_words(spec.max_bytes)}, "
                                           f"the most we accept for {spec.title} "
                                           f"({spec.max_bytes:,} bytes).")


@dataclass(frozen=True)
class Picture:
    """What a format checker found: the bytes to store and their shape.

    For SVG, width and height are CSS pixels rounded to the nearest integer
    (at least 1); width is None when the document gives neither a width nor
    a viewBox, or a width over 100,000px.
    """

    content_type: str
    extension: str
    width: int | None
    height: int
    data: bytes


@dataclass(frozen=True)
class CheckedAsset:
    """An accepted upload, ready to store under its content address."""

    kind: str
    content_type: str
    width: int | None
    height: int
    data: bytes
    sha256: str
    extension: str


def asset_kind(name: str) -> AssetKind:
    """The kind of brand asset called `name`; AssetRejected("unknown_kind") (404) otherwise."""
    spec = KINDS.get(name)
    if spec is None:
        raise AssetRejected("unknown_kind", f"There is no brand asset called {name!r}; "
                                            f"the brand assets are {', '.join(KINDS)}.")
    return spec


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
)
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_type(data: bytes) -> str:
    """Name the format the leading bytes announce, ignoring any file name.

    Returns "png", "jpeg", "svg" (text starting with "<", a candidate that the
    SVG parser still has to accept), another known format name, or "unknown".
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:12] in (b"ftypavif", b"ftypheic", b"ftypmif1"):
        return "heif"
    return "svg" if _looks_like_markup(data) else "unknown"


def _looks_like_markup(data: bytes) -> bool:
    for bom in _TEXT_BOMS:
        if data.startswith(bom):
            return True
    return data[:1024].lstrip(b" \t\r\n").startswith(b"<")


def check_asset(kind: str, data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> CheckedAsset:
    """Check an upload of `kind` by its content and return what to store.

    Raises AssetRejected with a stable code (see ERROR_STATUS); an unknown
    kind is `unknown_kind` (404), as the route names a thing that does not
    exist. `max_pixels` bounds width x height of raster images before any
    pixel is decoded.
    """
    spec = asset_kind(kind)
    if not data:
        raise AssetRejected("empty_file", "The file is empty: choose the file again and upload it.")
    if len(data) > spec.max_bytes:
        raise too_large(spec)
    picture = _inspect(spec, data, max_pixels)
    return CheckedAsset(
        kind=kind,
        content_type=picture.content_type,
        width=picture.width,
        height=picture.height,
        data=picture.data,
        sha256=hashlib.sha256(picture.data).hexdigest(),
        extension=picture.extension,
    )


def _inspect(spec: AssetKind, data: bytes, max_pixels: int) -> Picture:
    # svg and raster import AssetRejected from here, so they load on first use.
    from services.assets import raster, svg

    found = sniff_type(data)
    if spec.media == "svg":
        if found != "svg":
            raise AssetRejected("unsupported_type", f"A logo must be an SVG file; this file is {_format_words(found)}.")
        return svg.check_svg(data)
    if found not in ("png", "jpeg"):
        raise AssetRejected("unsupported_type",
                            f"The branded image must be a JPEG or PNG file; this file is {_format_words(found)}.")
    return raster.check_raster(found, data, max_pixels=max_pixels)


_FORMAT_WORDS = {"svg": "an SVG or other text file", "unknown": "of a kind we do not recognise",
                 "pdf": "a PDF document", "zip": "a ZIP archive", "gzip": "a gzip archive"}


def _format_words(found: str) -> str:
    return _FORMAT_WORDS.get(found, f"a {found.upper()} image")


def read_limited(stream: BinaryIO, limit: int, chunk_size: int = READ_CHUNK_BYTES) -> bytes:
    """Read a file-like object to its end, refusing more than `limit` bytes.

    Reads in chunks and never more than limit + 1 bytes in total, so an
    oversized body raises AssetRejected("file_too_large") (413) as soon as
    the first byte past the limit arrives.
    """
    body = io.BytesIO()  # getvalue() hands over its buffer: no second copy of the upload
    total = 0
    while True:
        chunk = stream.read(min(chunk_size, limit + 1 - total))
        if not chunk:
            return body.getvalue()
        total += len(chunk)
        if total > limit:
            raise AssetRejected("file_too_large", f"The file is larger than {size_words(limit)}, the most we accept "
                                                  f"({limit:,} bytes).")
        body.write(chunk)
