"""The branded image in the sizes a page shows it at, made once at upload.

For each width of VARIANT_WIDTHS below the original's (480, 960 and 1600 px;
none wider than the original, whose own file stays the largest size), the
image is cropped to exactly 4:3 around its centre (the original is 4:3 within
1%) and resized with Lanczos (Pillow's reducing_gap 2.0), then written twice: in the original's format
(JPEG quality 82, progressive; PNG optimized) and as WebP (quality 80, alpha
kept). A page lists them in `srcset`, so a 360 px phone fetches a file of a
few tens of KB instead of the original (issue 17, "The page").

Pixels are turned upright first (the EXIF orientation the stored JPEG may
keep), and a JPEG is decoded at the smallest scale that still covers the
largest variant (Pillow's draft mode), which bounds memory. Pure Python over
Pillow; no Flask, no SQLAlchemy.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

VARIANT_WIDTHS = (480, 960, 1600)
_SAME_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG"}
_WRITTEN = {"JPEG": ("image/jpeg", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
            "PNG": ("image/png", "png", {"optimize": True}),
            "WEBP": ("image/webp", "webp", {"quality": 80, "method": 3})}


@dataclass(frozen=True)
class Variant:
    """One resized file: its pixels' size, format and bytes, and its content hash."""

    width: int
    height: int
    content_type: str
    extension: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def widths_for(original_width: int) -> list[int]:
    """The variant widths for an original `original_width` px wide: those below it."""
    return [width for width in VARIANT_WIDTHS if width < original_width]


def make_variants(content_type: str, data: bytes) -> list[Variant]:
    """Resized copies of a checked JPEG or PNG branded image, smallest first, the
    original's format before WebP at each width. [] for anything else (an SVG logo)."""
    if content_type not in _SAME_FORMAT:
        return []
    with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as opened:
        widths = widths_for(_upright_size(opened)[0])
        if not widths:
            return []
        if opened.format == "JPEG":
            opened.draft("RGB", (max(widths), max(widths)))  # decode at 1/2, 1/4 or 1/8 when that still covers it
        image = _pixels(ImageOps.exif_transpose(opened))
    box, found = _four_by_three(image.size), []
    for width in widths:
        resized = image.resize((width, round(width * 3 / 4)), Image.Resampling.LANCZOS, box=box, reducing_gap=2.0)
        found.append(_encoded(resized, _SAME_FORMAT[content_type]))
        found.append(_encoded(resized, "WEBP"))
    return found


def _four_by_three(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred 4:3 box within a picture of `size`."""
    width, height = size
    if 3 * width > 4 * height:
        keep = height * 4 / 3
        return (round((width - keep) / 2), 0, round((width + keep) / 2), height)
    keep = width * 3 / 4
    return (0, round((height - keep) / 2), width, round((height + keep) / 2))


def _upright_size(image: Image.Image) -> tuple[int, int]:
    rotated = image.getexif().get(0x0112) in (5, 6, 7, 8)
    return (image.height, image.width) if rotated else image.size


def _pixels(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency (palette and 16-bit PNGs included)."""
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode == "I;16" or image.mode == "I":
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGBA" if transparent else "RGB")


def _encoded(image: Image.Image, pillow_format: str) -> Variant:
    content_type, extension, options = _WRITTEN[pillow_format]
    if pillow_format == "JPEG":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, pillow_format, **options)
    return Variant(image.width, image.height, content_type, extension, out.getvalue())
