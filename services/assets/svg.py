"""SVG logos: safe to serve to any browser and at most 24 CSS pixels high.

The document is parsed with defusedxml (no entities, no external references)
and stored as uploaded once it passes, except for one change: a plain public
SVG DOCTYPE, as design tools export it, is removed (API.md, second round,
"Changed rules"). Only the public identifiers of SVG 1.0 and 1.1 are taken,
named `svg`, without an internal subset; any other DOCTYPE is `svg_unsafe`.
The stored bytes are then checked again as a whole, so what is served is
exactly what passed. Names are compared by local name, lower-cased and in any
namespace, so that an HTML parser inlining the logo could not read a
construct that this check missed.

`<style>` elements and `style` or presentation attributes may hold CSS with
no `url(` other than `url(#fragment)` and no `@import`, judged after CSS
escapes are decoded and comments removed, in any case.

Height: the root's `height` attribute wins over the `viewBox`. Unitless and
px are CSS pixels; pt, pc, in, cm, mm and Q convert at 96 dpi. em, ex, % and
anything else depend on where the logo is shown, so they are refused as
`svg_invalid` rather than guessed.

Every refusal's detail says what is wrong in the portal's words; the code
stays the stable part.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

from defusedxml import DefusedXmlException, DTDForbidden
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

    Returns the Picture to store: the upload without its public SVG DOCTYPE
    if it had one, byte for byte otherwise. Codes: `svg_unsafe` (scripts,
    handlers, entities, DOCTYPEs other than a plain public SVG one, external
    or javascript: references, CSS `url()` leaving the file or `@import`),
    `svg_invalid` (not well-formed, not UTF-8, unresolvable height),
    `unsupported_type` (XML that is not SVG) and `svg_too_tall`.
    """
    _decode(data)
    stored = _without_public_doctype(data)
    text = _decode(stored)
    root = _parse(stored)
    _check_tree(root)
    _check_raw_text(text)  # a backstop for what hides in comments and CDATA
    height = _height(root)
    if height > MAX_LOGO_HEIGHT_PX:
        raise AssetRejected("svg_too_tall", f"This logo is {_px_words(height)}px high; a logo can be at most "
                                            f"{MAX_LOGO_HEIGHT_PX}px high. Scale it down and export it again.")
    width = _width(root, height)
    if width is not None and width > MAX_REPORTED_WIDTH_PX:
        width = None  # absurd but harmless: the logo is shown 24px high anyway
    return Picture("image/svg+xml", "svg", _whole_px(width), _whole_px(height), stored)


def _px_words(length: Fraction) -> str:
    """25 -> "25", 26.4567 -> "26.46": exact enough to see why 24.01px is too tall."""
    return f"{float(length):.2f}".rstrip("0").rstrip(".")


def _whole_px(length: Fraction | None) -> int | None:
    return None if length is None else max(1, round(length))


_NOT_UTF8 = "This logo is not saved as UTF-8 text; export it again as SVG with UTF-8 encoding."


def _decode(data: bytes) -> str:
    """Only UTF-8 (or ASCII) is accepted, so every reader sees the same text."""
    declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise AssetRejected("svg_invalid", _NOT_UTF8)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AssetRejected("svg_invalid", _NOT_UTF8) from None


class _TreeBuilder(ET.TreeBuilder):
    """Builds the tree, refusing processing instructions and deep nesting."""

    depth = 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AssetRejected("svg_invalid", f"This logo nests its shapes more than {MAX_DEPTH} levels deep, "
                                               "more than any logo needs.")
        return super().start(tag, attrs)

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)

    def pi(self, target, data=None):
        raise _unsafe(f"This logo contains a processing instruction (<?{target} ...?>), which could load a "
                      "stylesheet from elsewhere; we do not accept it for safety.")


def _parse(data: bytes) -> ET.Element:
    parser = DefusedXMLParser(target=_TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise _unsafe(_DOCTYPE_ELSEWHERE) from None
    except DefusedXmlException:
        raise _unsafe(_ENTITIES) from None
    except ET.ParseError as exc:
        raise AssetRejected("svg_invalid", f"This logo is not a well-formed SVG file ({exc}); "
                                           "export it again from your design tool.") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        if root.tag.rpartition("}")[2].lower() == "svg":
            raise AssetRejected("svg_invalid", f'This logo\'s <svg> element does not declare the SVG namespace '
                                               f'(xmlns="{SVG_NS}"), so browsers would not show it as an image.')
        raise AssetRejected("unsupported_type", "This file is XML but not an SVG image; a logo must be an SVG file.")
    return root


ACCEPTED_DOCTYPES = frozenset({"-//W3C//DTD SVG 1.1//EN", "-//W3C//DTD SVG 1.0//EN", "-//W3C//DTD SVG 20010904//EN"})
_INTERNAL_SUBSET = ("This logo contains a DOCTYPE with internal definitions (entities), which we do not accept "
                    "for safety. Export it again as plain SVG, without a DTD or entities.")
_DOCTYPE_ELSEWHERE = ("This logo contains a DOCTYPE in an unexpected place; we accept only the standard SVG "
                      "DOCTYPE at the start of the file.")
_ENTITIES = ("This logo declares or refers to XML entities or external files, which we do not accept for safety. "
             "Export it again as plain SVG.")
_PUBLIC_DOCTYPE = re.compile(
    rb"""<!DOCTYPE[\x20\t\r\n]+svg[\x20\t\r\n]+PUBLIC[\x20\t\r\n]+("[^"]*"|'[^']*')"""
    rb"""[\x20\t\r\n]+("[^"]*"|'[^']*')[\x20\t\r\n]*>(\r?\n)?""")


class _PrologSeen(Exception):
    """Raised to stop reading once the DOCTYPE (or the root element) is reached."""


class _Prolog(ET.TreeBuilder):
    """Reads no further than the first element: the DOCTYPE, if any, comes before it."""

    def start(self, tag, attrs):
        raise _PrologSeen


def _without_public_doctype(data: bytes) -> bytes:
    """`data` without its plain public SVG DOCTYPE; `data` itself when it has no DOCTYPE.

    Expat reads the prolog (entities still forbidden) and names the DOCTYPE's
    name, public identifier and whether it has an internal subset; it stops
    there, so nothing declared is ever used. A DOCTYPE with an internal
    subset, another name or another public identifier is `svg_unsafe`.
    """
    if b"<!DOCTYPE" not in data:
        return data
    parser = DefusedXMLParser(target=_Prolog(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    seen: list[tuple[str, str | None, bool, int]] = []

    def doctype(name, sysid, pubid, has_internal_subset):
        seen.append((name, pubid, bool(has_internal_subset), parser.parser.CurrentByteIndex))
        raise _PrologSeen

    parser.parser.StartDoctypeDeclHandler = doctype
    try:
        parser.feed(data)
        parser.close()
    except (_PrologSeen, ET.ParseError, DefusedXmlException):
        pass  # what is not well-formed is reported by the full parse
    if not seen:
        return data
    name, pubid, internal_subset, at = seen[0]
    if internal_subset:
        raise _unsafe(_INTERNAL_SUBSET)
    if name != "svg" or pubid not in ACCEPTED_DOCTYPES:
        raise _unsafe(f"This logo declares a DOCTYPE ({name!s:.40} {pubid or 'without a public identifier'!s:.60}) "
                      "that is not the standard SVG 1.0 or 1.1 one; we do not accept other DTDs for safety. "
                      "Export it again as plain SVG.")
    # Expat stops at the DOCTYPE's closing ">": the declaration is the match that ends there.
    for match in _PUBLIC_DOCTYPE.finditer(data, 0, at + 3):
        if match.end() - len(match.group(3) or b"") - 1 == at:
            return data[: match.start()] + data[match.end() :]
    raise _unsafe(_DOCTYPE_ELSEWHERE)


def _root_attr(root: ET.Element, name: str) -> str | None:
    """Look an attribute up without regard to case; two spellings are ambiguous."""
    found = [value for key, value in root.attrib.items() if key.lower() == name]
    if len(found) > 1:
        raise AssetRejected("svg_invalid", f"This logo's <svg> element has its {name} more than once.")
    return found[0] if found else None


def _height(root: ET.Element) -> Fraction:
    declared = _root_attr(root, "height")
    if declared is not None:
        return _length_px(declared, "height")
    box = _viewbox(root)
    if box is None:
        raise AssetRejected("svg_invalid", "This logo has neither a height nor a viewBox, so its size cannot be "
                                           f"known; export it with a height of at most {MAX_LOGO_HEIGHT_PX}px.")
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
        raise AssetRejected("svg_invalid", f"This logo's {name} ({value[:40]!r}) is not a fixed size; "
                                           "give it in px, pt, pc, in, cm or mm.")
    length = Fraction(match.group(1)) * _PX_PER_UNIT[unit]
    if length <= 0:
        raise AssetRejected("svg_invalid", f"This logo's {name} ({value[:40]!r}) must be more than zero.")
    return length


def _viewbox(root: ET.Element) -> tuple[Fraction, Fraction] | None:
    """The viewBox's (width, height), or None when there is none."""
    declared = _root_attr(root, "viewbox")
    if declared is None:
        return None
    match = _VIEWBOX.fullmatch(declared) if len(declared) < 200 else None
    if not match:
        raise AssetRejected("svg_invalid", f"This logo's viewBox ({declared[:80]!r}) is not four numbers.")
    width, height = Fraction(match.group(3)), Fraction(match.group(4))
    if width <= 0 or height <= 0:
        raise AssetRejected("svg_invalid", f"This logo's viewBox ({declared[:80]!r}) must have a width and "
                                           "height of more than zero.")
    return width, height


XHTML_NS = "http://www.w3.org/1999/xhtml"
_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignobject", "handler", "listener", "iframe", "frame", "embed", "object", "applet", "base", "link", "meta"}
)
_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
_URL_ATTRIBUTES = frozenset({"href", "src"})
_RAW_TAGS = {  # what is refused anywhere in the stored text, comments and CDATA included
    "<script": "This logo contains a script (even if only in a comment or text); we do not accept scripts "
               "for safety.",
    "<!doctype": _DOCTYPE_ELSEWHERE,
    "<!entity": _ENTITIES,
    "<foreignobject": "This logo contains embedded HTML (<foreignObject>), which we do not accept for safety.",
    "<?xml-stylesheet": "This logo links an external stylesheet (<?xml-stylesheet?>), which we do not accept "
                        "for safety.",
}
_ELEMENT_WORDS = {"script": "a script", "foreignobject": "embedded HTML", "handler": "a script handler",
                  "listener": "an event listener", "iframe": "an embedded page", "frame": "an embedded page",
                  "embed": "an embedded plug-in", "object": "an embedded object", "applet": "an applet",
                  "base": "a base address for links", "link": "a link to another file", "meta": "page metadata"}
_CSS_WORDS = {
    "@import": "This logo's styles ({where}) import another stylesheet (@import), which we do not accept "
               "for safety.",
    "javascript:": "This logo's styles ({where}) contain a javascript: link, which would run code; we do not "
                   "accept it for safety.",
}
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
    for needle, words in _RAW_TAGS.items():
        if needle in lowered:
            raise _unsafe(words)
    folded = _BLANKS.sub("", lowered)
    for scheme in _SCHEMES:
        if scheme in folded:
            raise _unsafe(f"This logo contains a {scheme} link, which would run code; we do not accept it "
                          "for safety.")


def _check_tree(root: ET.Element) -> None:
    for element in root.iter():
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS or element.tag.startswith(f"{{{XHTML_NS}}}"):
            shown = element.tag.rpartition("}")[2][:40]
            raise _unsafe(f"This logo contains {_ELEMENT_WORDS.get(name, 'an HTML element')} (<{shown}>), which "
                          "could run or load something; we do not accept it for safety.")
        if name in _ANIMATIONS:
            _check_animation(element)
        if name == "style":
            _check_css("".join(element.itertext()), "<style> element")
        for key, value in element.attrib.items():
            _check_attribute(_local(key), value)


def _check_animation(element: ET.Element) -> None:
    """An animation could rewrite a link or a handler after the check."""
    for key, value in element.attrib.items():
        target = _local(value.rpartition(":")[2]) if _local(key) == "attributename" else ""
        if target in _URL_ATTRIBUTES or target.startswith("on"):
            raise _unsafe(f"This logo contains an animation that changes {value[:40]!r}, which could turn it into "
                          "a link or a script; we do not accept it for safety.")


def _check_attribute(name: str, value: str) -> None:
    if name.startswith("on"):
        raise _unsafe(f"This logo contains an event handler ({name}), which would run code; we do not accept "
                      "it for safety.")
    if name in _URL_ATTRIBUTES and not value.strip(_URL_PADDING).startswith("#"):
        folded = _BLANKS.sub("", value.lower())
        if folded.startswith(_SCHEMES):
            raise _unsafe(f"This logo contains a link that would run code ({name}={value[:40]!r}); we do not "
                          "accept it for safety.")
        if folded.startswith("data:"):
            raise _unsafe(f"This logo embeds another file as a data: URL ({name}={value[:40]!r}...), for example "
                          "a bitmap picture; a logo must be drawn in SVG shapes only.")
        raise _unsafe(f"This logo refers to something outside itself ({name}={value[:80]!r}); a logo may only "
                      "refer to its own parts (#id). Embed pictures and fonts as shapes instead.")
    _check_css(value, f"{name} attribute")


def _check_css(text: str, where: str) -> None:
    """Refuse url() targets other than #fragments, @import and script in CSS (`where` names the place).

    CSS escapes are decoded and the text is checked with and without
    comments, so `u\\72l(` or `url(/**/x)` cannot slip through.
    """
    decoded = _css_unescape(text.lower()).lower()
    for variant in (decoded, _CSS_COMMENT.sub("", decoded)):
        folded = _BLANKS.sub("", variant)
        for needle in _SCHEMES + _CSS_FORBIDDEN:
            if needle in folded:
                raise _unsafe(_CSS_WORDS.get(needle, "This logo's styles ({where}) use {needle}, which could load "
                                             "or run something; we do not accept it for safety.")
                              .format(where=where, needle=needle))
        for match in _CSS_URL.finditer(folded):
            if not folded.startswith("#", match.end()):
                raise _unsafe(f"This logo's styles ({where}) load something from outside the file with url(); "
                              "only url(#id), which refers to the logo's own parts, is accepted.")


def _css_unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return "" if match.group(2) == "\n" else match.group(2)

    return _CSS_ESCAPE.sub(one, text)
