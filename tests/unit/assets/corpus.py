"""The attack corpus in tests/corpus/assets and what each file must answer."""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageFilter

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "assets"

LOGO, IMAGE = "logo-light", "branded-image"
ACCEPTED = None

EXPECTED = {
    "logo-24.svg": (LOGO, ACCEPTED),
    "logo-24px.svg": (LOGO, ACCEPTED),
    "logo-viewbox-short.svg": (LOGO, ACCEPTED),
    "logo-fragment-links.svg": (LOGO, ACCEPTED),
    "logo-25.svg": (LOGO, "svg_too_tall"),
    "logo-viewbox-tall.svg": (LOGO, "svg_too_tall"),
    "logo-2em.svg": (LOGO, "svg_invalid"),
    "logo-no-height.svg": (LOGO, "svg_invalid"),
    "not-well-formed.svg": (LOGO, "svg_invalid"),
    "svg-without-namespace.svg": (LOGO, "svg_invalid"),
    "html-not-svg.svg": (LOGO, "unsupported_type"),
    "script.svg": (LOGO, "svg_unsafe"),
    "xhtml-script.svg": (LOGO, "svg_unsafe"),
    "onload.svg": (LOGO, "svg_unsafe"),
    "onclick-uppercase.svg": (LOGO, "svg_unsafe"),
    "foreign-object.svg": (LOGO, "svg_unsafe"),
    "javascript-href.svg": (LOGO, "svg_unsafe"),
    "javascript-href-obfuscated.svg": (LOGO, "svg_unsafe"),
    "external-href.svg": (LOGO, "svg_unsafe"),
    "external-xlink-href.svg": (LOGO, "svg_unsafe"),
    "data-uri-href.svg": (LOGO, "svg_unsafe"),
    "css-url-external.svg": (LOGO, "svg_unsafe"),
    "css-url-escaped.svg": (LOGO, "svg_unsafe"),
    "presentation-url-external.svg": (LOGO, "svg_unsafe"),
    "css-import.svg": (LOGO, "svg_unsafe"),
    "animate-href.svg": (LOGO, "svg_unsafe"),
    "xml-stylesheet.svg": (LOGO, "svg_unsafe"),
    "doctype.svg": (LOGO, ACCEPTED),
    "doctype-empty-internal-subset.svg": (LOGO, "svg_unsafe"),
    "doctype-system-only.svg": (LOGO, "svg_unsafe"),
    "doctype-xhtml.svg": (LOGO, "svg_unsafe"),
    "doctype-svg-tiny.svg": (LOGO, "svg_unsafe"),
    "doctype-html-name.svg": (LOGO, "svg_unsafe"),
    "doctype-second-in-comment.svg": (LOGO, "svg_unsafe"),
    "entity.svg": (LOGO, "svg_unsafe"),
    "external-entity.svg": (LOGO, "svg_unsafe"),
    "billion-laughs.svg": (LOGO, "svg_unsafe"),
    "png-renamed.svg": (LOGO, "unsupported_type"),
    # as design tools export logos, and hostile files of the same shape
    "illustrator-cc.svg": (LOGO, ACCEPTED),
    "illustrator-cc-cdata.svg": (LOGO, ACCEPTED),
    "illustrator-cs6-presentation.svg": (LOGO, ACCEPTED),
    "illustrator-10-svg10-pt.svg": (LOGO, ACCEPTED),
    "illustrator-svg-20010904.svg": (LOGO, ACCEPTED),
    "illustrator-entities.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-url-external.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-url-hex-escape.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-url-char-escape.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-url-comment.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-url-uppercase.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-import.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-import-escaped.svg": (LOGO, "svg_unsafe"),
    "illustrator-style-attribute-url.svg": (LOGO, "svg_unsafe"),
    "inkscape-1.3.svg": (LOGO, ACCEPTED),
    "inkscape-1.3-too-tall.svg": (LOGO, "svg_too_tall"),
    "inkscape-onload.svg": (LOGO, "svg_unsafe"),
    "inkscape-script.svg": (LOGO, "svg_unsafe"),
    "inkscape-linked-image.svg": (LOGO, "svg_unsafe"),
    "figma.svg": (LOGO, ACCEPTED),
    "figma-image-fill.svg": (LOGO, "svg_unsafe"),
    "sketch-70.svg": (LOGO, ACCEPTED),
    "sketch-external-use.svg": (LOGO, "svg_unsafe"),
    "svg-renamed.png": (IMAGE, "unsupported_type"),
    "image.gif": (IMAGE, "unsupported_type"),
    "image.webp": (IMAGE, "unsupported_type"),
    "image.bmp": (IMAGE, "unsupported_type"),
    "document.pdf": (IMAGE, "unsupported_type"),
    "polyglot-png-then-jpeg.png": (IMAGE, "unsupported_type"),
    "polyglot-jpeg-then-png.jpg": (IMAGE, ACCEPTED),
    "ratio-4x3.png": (IMAGE, ACCEPTED),
    "ratio-within-1pct.png": (IMAGE, ACCEPTED),
    "ratio-outside-1pct.png": (IMAGE, "wrong_aspect_ratio"),
    "square.jpg": (IMAGE, "wrong_aspect_ratio"),
    "rotated-landscape.jpg": (IMAGE, "wrong_aspect_ratio"),
    "rotated-portrait.jpg": (IMAGE, ACCEPTED),
    "exif-gps.jpg": (IMAGE, ACCEPTED),
    "progressive.jpg": (IMAGE, ACCEPTED),
    "text-chunks.png": (IMAGE, ACCEPTED),
    "truncated.png": (IMAGE, "image_invalid"),
    "truncated.jpg": (IMAGE, "image_invalid"),
    "bomb-header.png": (IMAGE, "image_too_large"),
}


DESIGN_TOOL_LOGOS = sorted(name for name, (kind, code) in EXPECTED.items()
                           if name.split("-")[0] in ("illustrator", "inkscape", "figma", "sketch") and not code)
HOSTILE_DESIGN_TOOL_LOGOS = sorted(name for name, (kind, code) in EXPECTED.items()
                                   if name.split("-")[0] in ("illustrator", "inkscape", "figma", "sketch") and code)


def read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    """What a viewer would see, metadata aside: mode, size and raw pixels."""
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    return Image.merge("RGB", (red, green, red.rotate(180))).convert(mode)


@functools.cache
def photo(width: int, height: int, fmt: str = "JPEG", seed: int = 1) -> bytes:
    """A photograph-like picture: gradients under fine noise, so it compresses like a photo
    (1600x1200 is about 300 KB as JPEG, 640x480 about 400 KB as PNG), never like flat colour."""
    rnd = random.Random(seed)
    bands = []
    for _ in range(3):
        light = Image.linear_gradient("L").rotate(rnd.choice((0, 90, 180, 270))).resize((width, height))
        base = Image.blend(light, Image.radial_gradient("L").resize((width, height)), 0.4)
        grain = Image.frombytes("L", (width, height), rnd.randbytes(width * height)).filter(ImageFilter.GaussianBlur(1.2))
        bands.append(Image.blend(base, grain, 0.35))
    options = {"quality": 88} if fmt == "JPEG" else {"compress_level": 6}
    return encode(Image.merge("RGB", bands), fmt, **options)


def padded_png(total: int, base: bytes | None = None) -> bytes:
    """A 4:3 PNG (the corpus's, or `base`) grown to exactly `total` bytes by a private chunk before
    IEND, as cameras and editors add metadata; the stored file is `base` again (the chunk is dropped)."""
    image = base or read("ratio-4x3.png")
    padding = total - len(image) - 12
    assert padding >= 0, f"{total} bytes is less than the picture itself"
    return image[:-12] + png_chunk(b"prVt", b"\0" * padding) + image[-12:]


@functools.cache
def tiny_png() -> bytes:
    """A 16x12 PNG of a few hundred bytes, to pad to sizes from 1 KB up."""
    return encode(picture(16, 12), "PNG")


def padded_svg(total: int, name: str = "illustrator-cc.svg") -> bytes:
    """A design tool's logo grown to exactly `total` bytes by a comment before its end."""
    logo = read(name)
    end = logo.rindex(b"</svg>")
    filler = total - len(logo) - len(b"<!--  -->")
    assert filler >= 0
    return logo[:end] + b"<!-- " + b"x" * filler + b" -->" + logo[end:]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces width x height RGB pixels and holds none."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


def svg(attributes: str = 'height="24"', body: str = '<rect width="9" height="9"/>') -> bytes:
    """A logo whose root carries `attributes` and holds `body`."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f"{attributes}>{body}</svg>"
    ).encode()
