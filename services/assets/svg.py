"""SVG logos: safe to serve to any browser and at most 24 CSS pixels high.

The document is parsed with defusedxml (no DTD, no entities, no external
references) and stored byte for byte as uploaded once it passes. Names are
compared by local name, lower-cased and in any namespace, so that an HTML
parser inlining the logo could not read a construct that this check missed.

Height: the root's `height` attribute wins over the `viewBox`. Unitless and
px are CSS pixels; pt, pc, in, cm, mm and Q convert at 96 dpi. em, ex, % and
anything else depend on where the logo is shown, so they are refused as
`svg_invalid` rather than guessed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from services.assets.domain import MAX_LOGO_HEIGHT_PX, AssetRejected, Picture

SVG_NS = "http://www.w3.org/2000/svg"
MAX_DEPTH = 256
MAX_REPORTED_WIDTH_PX = 100_000
_PX_PER_UNIT = {
    "": Fraction(1),
    "px": Fraction(1),
    "pt": Fraction(96, 72),
    "pc": Fraction(16),
    "in": Fraction(96),
    "cm": Fraction(9600, 254),
    "mm": Fraction(960, 254),
    "q": Fraction(240, 254),
}
_LENGTH = re.compile(r"\s*([+]?(?:\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})(?:e[+-]?\d{1,2})?)\s*([a-z%]*)\s*", re.I | re.A)
_NUMBER = r"[+-]?(?:\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})(?:[eE][+-]?\d{1,2})?"
_VIEWBOX = re.compile(rf"\s*({_NUMBER})(?:\s*,\s*|\s+)({_NUMBER})(?:\s*,\s*|\s+)({_NUMBER})(?:\s*,\s*|\s+)({_NUMBER})\s*", re.A)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


def check_svg(data: bytes) -> Picture:
    """Accept a safe SVG logo at most 24px high, or raise AssetRejected.

    Codes: `svg_unsafe` (scripts, handlers, entities, DTDs, external or
    javascript: references), `svg_invalid` (not well-formed, not UTF-8,
    unresolvable height), `unsupported_type` (XML that is not SVG) and
    `svg_too_tall`.
    """
    text = _decode(data)
    root = _parse(data)
    _check_tree(root)
    _check_raw_text(text)  # a backstop for what hides in comments and CDATA
    height = _height(root)
    if height > MAX_LOGO_HEIGHT_PX:
        raise AssetRejected("svg_too_tall", f"the logo is {float(height):g}px high; at most {MAX_LOGO_HEIGHT_PX}px")
    width = _width(root, height)
    if width is not None and width > MAX_REPORTED_WIDTH_PX:
        width = None  # absurd but harmless: the logo is shown 24px high anyway
    return Picture("image/svg+xml", "svg", _whole_px(width), _whole_px(height), data)


def _whole_px(length: Fraction | None) -> int | None:
    return None if length is None else max(1, round(length))


def _decode(data: bytes) -> str:
    """Only UTF-8 (or ASCII) is accepted, so every reader sees the same text."""
    declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise AssetRejected("svg_invalid", "SVG logos must be encoded in UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AssetRejected("svg_invalid", "SVG logos must be encoded in UTF-8") from None


class _TreeBuilder(ET.TreeBuilder):
    """Builds the tree, refusing processing instructions and deep nesting."""

    depth = 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AssetRejected("svg_invalid", f"elements are nested deeper than {MAX_DEPTH}")
        return super().start(tag, attrs)

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)

    def pi(self, target, data=None):
        raise AssetRejected("svg_unsafe", f"processing instruction <?{target}?> (e.g. a stylesheet link)")


def _parse(data: bytes) -> ET.Element:
    parser = DefusedXMLParser(target=_TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise AssetRejected("svg_unsafe", f"DTDs, entities and external references are not allowed ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise AssetRejected("svg_invalid", f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        if root.tag.rpartition("}")[2].lower() == "svg":
            raise AssetRejected("svg_invalid", f'the root <svg> must declare xmlns="{SVG_NS}"')
        raise AssetRejected("unsupported_type", "the document is XML but not an SVG image")
    return root


def _root_attr(root: ET.Element, name: str) -> str | None:
    """Look an attribute up without regard to case; two spellings are ambiguous."""
    found = [value for key, value in root.attrib.items() if key.lower() == name]
    if len(found) > 1:
        raise AssetRejected("svg_invalid", f"the root has several {name} attributes")
    return found[0] if found else None


def _height(root: ET.Element) -> Fraction:
    declared = _root_attr(root, "height")
    if declared is not None:
        return _length_px(declared, "height")
    box = _viewbox(root)
    if box is None:
        raise AssetRejected("svg_invalid", "the logo has neither a height attribute nor a viewBox")
    return box[1]


def _width(root: ET.Element, height: Fraction) -> Fraction | None:
    declared = _root_attr(root, "width")
    if declared is not None:
        try:
            return _length_px(declared, "width")
        except AssetRejected:
            pass  # a relative width is fine: the logo scales to its height
    box = _viewbox(root)
    return None if box is None else height * box[0] / box[1]


def _length_px(value: str, name: str) -> Fraction:
    match = _LENGTH.fullmatch(value)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _PX_PER_UNIT:
        raise AssetRejected("svg_invalid", f"{name}={value!r} is not an absolute length (px, pt, pc, in, cm, mm)")
    length = Fraction(match.group(1)) * _PX_PER_UNIT[unit]
    if length <= 0:
        raise AssetRejected("svg_invalid", f"{name}={value!r} must be positive")
    return length


def _viewbox(root: ET.Element) -> tuple[Fraction, Fraction] | None:
    """The viewBox's (width, height), or None when there is none."""
    declared = _root_attr(root, "viewbox")
    if declared is None:
        return None
    match = _VIEWBOX.fullmatch(declared) if len(declared) < 200 else None
    if not match:
        raise AssetRejected("svg_invalid", f"viewBox={declared!r} is not four numbers")
    width, height = Fraction(match.group(3)), Fraction(match.group(4))
    if width <= 0 or height <= 0:
        raise AssetRejected("svg_invalid", f"viewBox={declared!r} must have a positive width and height")
    return width, height


XHTML_NS = "http://www.w3.org/1999/xhtml"
_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignobject", "handler", "listener", "iframe", "frame", "embed", "object", "applet", "base", "link", "meta"}
)
_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
_URL_ATTRIBUTES = frozenset({"href", "src"})
_RAW_TAGS = ("<script", "<!doctype", "<!entity", "<foreignobject", "<?xml-stylesheet")
_SCHEMES = ("javascript:", "vbscript:")
_CSS_FORBIDDEN = ("@import", "expression(", "image-set(", "src(", "-moz-binding", "behavior:")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-f]{1,6})[ \t\r\n\f]?|(.))", re.I | re.S)
_CSS_URL = re.compile(r"url\(['\"]?")
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_URL_PADDING = "".join(chr(code) for code in range(0x21))


def _unsafe(detail: str) -> AssetRejected:
    return AssetRejected("svg_unsafe", detail)


def _local(name: str) -> str:
    """`{namespace}Name` or `Name` -> `name`."""
    return name.rpartition("}")[2].lower()


def _check_raw_text(text: str) -> None:
    """Refuse dangerous markup wherever it hides, comments and CDATA included."""
    lowered = text.lower()
    for needle in _RAW_TAGS:
        if needle in lowered:
            raise _unsafe(f"the document contains {needle}")
    folded = _BLANKS.sub("", lowered)
    for scheme in _SCHEMES:
        if scheme in folded:
            raise _unsafe(f"the document contains a {scheme} URL")


def _check_tree(root: ET.Element) -> None:
    for element in root.iter():
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS or element.tag.startswith(f"{{{XHTML_NS}}}"):
            raise _unsafe(f"<{name}> elements are not allowed")
        if name in _ANIMATIONS:
            _check_animation(element)
        if name == "style":
            _check_css("".join(element.itertext()), "<style>")
        for key, value in element.attrib.items():
            _check_attribute(_local(key), value)


def _check_animation(element: ET.Element) -> None:
    """An animation could rewrite a link or a handler after the check."""
    for key, value in element.attrib.items():
        target = _local(value.rpartition(":")[2]) if _local(key) == "attributename" else ""
        if target in _URL_ATTRIBUTES or target.startswith("on"):
            raise _unsafe(f"<{_local(element.tag)}> may not animate {value!r}")


def _check_attribute(name: str, value: str) -> None:
    if name.startswith("on"):
        raise _unsafe(f"event handler attribute {name!r}")
    if name in _URL_ATTRIBUTES and not value.strip(_URL_PADDING).startswith("#"):
        raise _unsafe(f"{name}={value[:80]!r} points outside the document")
    _check_css(value, f"attribute {name!r}")


def _check_css(text: str, where: str) -> None:
    """Refuse url() targets other than #fragments, @import and script in CSS.

    CSS escapes are decoded and the text is checked with and without
    comments, so `u\\72l(` or `url(/**/x)` cannot slip through.
    """
    decoded = _css_unescape(text.lower()).lower()
    for variant in (decoded, _CSS_COMMENT.sub("", decoded)):
        folded = _BLANKS.sub("", variant)
        for needle in _SCHEMES + _CSS_FORBIDDEN:
            if needle in folded:
                raise _unsafe(f"{where} contains {needle}")
        for match in _CSS_URL.finditer(folded):
            if not folded.startswith("#", match.end()):
                raise _unsafe(f"{where} refers to a URL outside the document")


def _css_unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if match.group(2) == "\n" else match.group(2)

    return _CSS_ESCAPE.sub(one, text)
