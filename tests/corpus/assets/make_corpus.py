"""Write the brand asset attack corpus next to this script.

Run `python tests/corpus/assets/make_corpus.py` after changing it; the
generated files are committed so that tests do not depend on this script's
Pillow version. Every file is small; inputs of megabytes are built in tests.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

HERE = Path(__file__).resolve().parent
FIXED_DATE = time.gmtime(1_704_067_200)  # 2024-01-01, so the PDF is reproducible
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
LOGO_BODY = '<rect width="96" height="24" fill="#14a800"/>'

SVGS = {
    "logo-24.svg": f'{SVG_OPEN} width="96" height="24">{LOGO_BODY}</svg>',
    "logo-24px.svg": f'<?xml version="1.0" encoding="UTF-8"?>\n{SVG_OPEN} width="96px" height="24px">{LOGO_BODY}</svg>',
    "logo-viewbox-short.svg": f'{SVG_OPEN} viewBox="0 0 96 24">{LOGO_BODY}</svg>',
    "logo-fragment-links.svg": (
        f'{SVG_OPEN} height="24" viewBox="0 0 96 24"><defs><linearGradient id="g"><stop offset="0"/></linearGradient>'
        '<path id="p" d="M0 0h8v8z"/></defs><style>rect{fill:url(#g)}</style>'
        '<use href="#p"/><use xlink:href="#p"/><rect width="96" height="24" style="fill: url( \'#g\' )"/></svg>'
    ),
    "logo-25.svg": f'{SVG_OPEN} width="100" height="25">{LOGO_BODY}</svg>',
    "logo-2em.svg": f'{SVG_OPEN} height="2em" viewBox="0 0 96 24">{LOGO_BODY}</svg>',
    "logo-viewbox-tall.svg": f'{SVG_OPEN} viewBox="0 0 96 48">{LOGO_BODY}</svg>',
    "logo-no-height.svg": f"{SVG_OPEN}>{LOGO_BODY}</svg>",
    "script.svg": f"{SVG_OPEN} height=\"24\"><script>alert(document.cookie)</script>{LOGO_BODY}</svg>",
    "xhtml-script.svg": (
        f'{SVG_OPEN} height="24"><h:SCRIPT xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:SCRIPT></svg>'
    ),
    "onload.svg": f'{SVG_OPEN} height="24" onload="alert(1)">{LOGO_BODY}</svg>',
    "onclick-uppercase.svg": f'{SVG_OPEN} height="24"><rect width="9" height="9" ONCLICK="alert(1)"/></svg>',
    "foreign-object.svg": (
        f'{SVG_OPEN} height="24"><foreignObject width="96" height="24">'
        '<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject></svg>'
    ),
    "javascript-href.svg": f'{SVG_OPEN} height="24"><a href="javascript:alert(1)">{LOGO_BODY}</a></svg>',
    "javascript-href-obfuscated.svg": (
        f'{SVG_OPEN} height="24"><a xlink:href=" jav&#x09;ascript:alert(1)">{LOGO_BODY}</a></svg>'
    ),
    "external-href.svg": f'{SVG_OPEN} height="24"><image href="https://evil.example/track.png" width="9" height="9"/></svg>',
    "external-xlink-href.svg": f'{SVG_OPEN} height="24"><use xlink:href="https://evil.example/sprite.svg#logo"/></svg>',
    "data-uri-href.svg": (
        f'{SVG_OPEN} height="24"><image width="9" height="9" '
        'href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"/></svg>'
    ),
    "css-url-external.svg": f'{SVG_OPEN} height="24"><rect width="9" height="9" style="fill:url(http://evil.example/p.svg#g)"/></svg>',
    "css-url-escaped.svg": f'{SVG_OPEN} height="24"><style>rect {{ fill: u\\72l(https://evil.example/p.svg#g) }}</style>{LOGO_BODY}</svg>',
    "presentation-url-external.svg": f'{SVG_OPEN} height="24"><rect width="9" height="9" filter="url(https://evil.example/f.svg#f)"/></svg>',
    "css-import.svg": f'{SVG_OPEN} height="24"><style>@import url("https://evil.example/x.css");</style>{LOGO_BODY}</svg>',
    "animate-href.svg": (
        f'{SVG_OPEN} height="24"><a><set attributeName="href" to="javascript:alert(1)"/>{LOGO_BODY}</a></svg>'
    ),
    "xml-stylesheet.svg": f'<?xml-stylesheet type="text/css" href="https://evil.example/x.css"?>\n{SVG_OPEN} height="24">{LOGO_BODY}</svg>',
    "doctype.svg": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f"{SVG_OPEN} height=\"24\">{LOGO_BODY}</svg>"
    ),
    "entity.svg": (
        '<!DOCTYPE svg [<!ENTITY brand "Acme">]>\n'
        f'{SVG_OPEN} height="24"><text y="20">&brand;</text></svg>'
    ),
    "external-entity.svg": (
        '<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        f'{SVG_OPEN} height="24"><text y="20">&secret;</text></svg>'
    ),
    "billion-laughs.svg": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">\n' for i in range(1, 10))
        + f"]>\n{SVG_OPEN} height=\"24\"><text>&lol9;</text></svg>"
    ),
    "html-not-svg.svg": "<html><body><p>hello</p></body></html>",
    "svg-without-namespace.svg": f'<svg height="24">{LOGO_BODY}</svg>',
    "not-well-formed.svg": f'{SVG_OPEN} height="24"><rect></svg>',
}


def picture(width: int, height: int) -> Image.Image:
    """A smooth RGB test picture, so that every size compresses well."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.linear_gradient("L").rotate(90).resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    return Image.merge("RGB", (red, green, blue))


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_header_png() -> bytes:
    """45 bytes: a PNG signature, an IHDR claiming 50,000 x 50,000 RGB pixels and IEND."""
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Acme Phones"  # Make
    exif[0x0110] = "Snapper 9"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPS: Paris
    return exif


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Secret")
    info.add_text("Comment", "home address: 1 Rue de Rivoli", zip=True)
    info.add_itxt("Description", "GPS 48.85,2.29", lang="en", tkey="Beschreibung")
    info.add(b"tIME", struct.pack(">HBBBBB", 2024, 5, 17, 12, 0, 0))
    return encoded(picture(400, 300), "PNG", pnginfo=info, exif=exif_with_gps())


def binaries() -> dict[str, bytes]:
    good_png = encoded(picture(400, 300), "PNG")
    jpeg = encoded(picture(400, 300), "JPEG", quality=90)
    return {
        "ratio-4x3.png": good_png,
        "ratio-within-1pct.png": encoded(picture(403, 300), "PNG"),
        "ratio-outside-1pct.png": encoded(picture(405, 300), "PNG"),
        "square.jpg": encoded(picture(300, 300), "JPEG", quality=90),
        "text-chunks.png": png_with_text(),
        "exif-gps.jpg": encoded(
            picture(400, 300), "JPEG", quality=90, exif=exif_with_gps(), comment=b"shot at home",
            xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>',
        ),
        "rotated-portrait.jpg": encoded(picture(300, 400), "JPEG", quality=90, exif=exif_with_gps(orientation=6)),
        "rotated-landscape.jpg": encoded(picture(400, 300), "JPEG", quality=90, exif=exif_with_gps(orientation=6)),
        "progressive.jpg": encoded(picture(400, 300), "JPEG", quality=85, progressive=True, comment=b"hidden"),
        "truncated.png": good_png[: len(good_png) // 2],
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "bomb-header.png": bomb_header_png(),
        "polyglot-png-then-jpeg.png": good_png + jpeg,
        "polyglot-jpeg-then-png.jpg": jpeg + good_png,
        "png-renamed.svg": good_png,
        "svg-renamed.png": SVGS["logo-24.svg"].encode(),
        "image.gif": encoded(picture(400, 300).convert("P"), "GIF"),
        "image.webp": encoded(picture(400, 300), "WEBP", quality=50),
        "image.bmp": encoded(picture(40, 30), "BMP"),
        "document.pdf": encoded(picture(40, 30), "PDF", creationDate=FIXED_DATE, modDate=FIXED_DATE),
    }


def main() -> None:
    for name, text in SVGS.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, data in binaries().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
