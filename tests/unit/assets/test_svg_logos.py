"""SVG logos: at most 24px high and nothing a browser would fetch or run."""

import re
from fractions import Fraction

import pytest
from defusedxml.ElementTree import fromstring as defused_fromstring
from hypothesis import given
from hypothesis import strategies as st

from services.assets.domain import AssetRejected, check_asset

from .corpus import DESIGN_TOOL_LOGOS, EXPECTED, HOSTILE_DESIGN_TOOL_LOGOS, read, svg

XHTML = 'xmlns:h="http://www.w3.org/1999/xhtml"'


def code_for(document: bytes) -> str | None:
    try:
        check_asset("logo-light", document)
    except AssetRejected as refused:
        return refused.code
    return None


def test_a_logo_25px_high_is_refused_as_too_tall():
    with pytest.raises(AssetRejected) as refused:
        check_asset("logo-light", read("logo-25.svg"))
    assert refused.value.code == "svg_too_tall"
    assert "25px" in refused.value.detail


def test_an_accepted_logo_is_stored_byte_for_byte():
    upload = read("logo-fragment-links.svg")
    assert check_asset("logo-dark", upload).data == upload


@pytest.mark.parametrize("height", ["24", "24px", " 24.0 ", "18pt", "1.5pc", "0.25in", "6.35mm", "0.635cm", "+2.4e1"])
def test_a_height_of_24_css_pixels_is_accepted_in_any_absolute_unit(height):
    assert check_asset("logo-light", svg(f'height="{height}"')).height == 24


@pytest.mark.parametrize("height", ["24.01", "19pt", "1in", "7mm", "2pc", "25PX"])
def test_a_height_over_24_css_pixels_is_refused_in_any_unit(height):
    assert code_for(svg(f'height="{height}"')) == "svg_too_tall"


@pytest.mark.parametrize("height", ["2em", "1ex", "50%", "auto", "", "-5", "0", "24 px 3", "1e999", "\uff12\uff14"])
def test_a_height_that_cannot_be_resolved_to_pixels_is_refused_as_invalid(height):
    assert code_for(svg(f'height="{height}" viewBox="0 0 96 24"')) == "svg_invalid"


def test_the_height_attribute_wins_over_a_tall_viewbox():
    assert check_asset("logo-light", svg('height="24" viewBox="0 0 100 500"')).height == 24


def test_the_height_attribute_wins_over_a_short_viewbox():
    assert code_for(svg('height="48" viewBox="0 0 96 24"')) == "svg_too_tall"


def test_without_a_height_the_viewbox_gives_height_and_width():
    checked = check_asset("logo-light", svg('viewBox="0,0,96,24"'))
    assert (checked.width, checked.height) == (96, 24)


def test_the_width_follows_the_viewbox_ratio_when_only_a_height_is_given():
    checked = check_asset("logo-light", svg('height="12" viewBox="0 0 200 50"'))
    assert (checked.width, checked.height) == (48, 12)


def test_without_width_or_viewbox_the_width_is_unknown():
    assert check_asset("logo-light", svg('height="20"')).width is None


def test_an_absurdly_wide_logo_reports_an_unknown_width_rather_than_a_huge_number():
    assert check_asset("logo-light", svg('height="24" width="1e40"')).width is None


@pytest.mark.parametrize("viewbox", ["0 0 96", "0 0 96 0", "0 0 -96 24", "a b c d"])
def test_a_malformed_viewbox_is_refused_as_invalid(viewbox):
    assert code_for(svg(f'viewBox="{viewbox}"')) == "svg_invalid"


def test_an_upper_case_height_still_counts_as_an_html_parser_would_read_it():
    assert code_for(svg('HEIGHT="500" viewBox="0 0 96 24"')) == "svg_too_tall"


@given(st.decimals(min_value=Fraction(1, 100), max_value=100, places=2))
def test_any_pixel_height_is_accepted_exactly_when_it_is_at_most_24(height):
    expected = None if height <= 24 else "svg_too_tall"
    assert code_for(svg(f'height="{height}px"')) == expected


UNSAFE = {
    "an upper-case script in the SVG namespace": svg(body="<SCRIPT>alert(1)</SCRIPT>"),
    "a prefixed svg:script": svg(body='<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>'),
    "an XHTML iframe": svg(body=f'<h:iframe {XHTML} src="#x"/>'),
    "any XHTML element": svg(body=f"<h:div {XHTML}>hello</h:div>"),
    "an SVG Tiny handler": svg(body='<handler type="application/ecmascript">alert(1)</handler>'),
    "an upper-case HREF": svg(body='<a HREF="https://evil.example/">x</a>'),
    "a src attribute": svg(body='<image src="https://evil.example/x.png"/>'),
    "xlink bound to another prefix": svg(body='<use xmlns:q="http://www.w3.org/1999/xlink" q:href="http://evil.example/#a"/>'),
    "a relative href": svg(body='<image href="logo.png"/>'),
    "an XInclude": svg(body='<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>'),
    "an animation that sets xlink:href": svg(body='<a><animate attributeName="xlink:href" values="#a;#b"/></a>'),
    "an animation that sets a handler": svg(body='<set attributeName="onclick" to="x"/>'),
    "javascript: in animation values": svg(body='<animate attributeName="fill" values="javascript:alert(1)"/>'),
    "an upper-case URL() fill": svg(body='<rect fill="URL(https://evil.example/#p)"/>'),
    "a quoted url() in style": svg(body="<rect style=\"fill: url( 'https://evil.example/#p' )\"/>"),
    "url() hidden behind a comment": svg(body="<rect style=\"fill: url(/**/#p)\"/>"),
    "an @import without url()": svg(body="<style>@IMPORT 'https://evil.example/x.css';</style>"),
    "an escaped @import": svg(body="<style>@\\69mport 'x.css';</style>"),
    "a CSS image-set": svg(body="<style>rect { fill: image-set('https://evil.example/x.png' 1x) }</style>"),
    "a script in a comment": svg(body="<!-- <script>alert(1)</script> -->"),
    "javascript: in CDATA text": svg(body="<text><![CDATA[javascript:alert(1)]]></text>"),
}


@pytest.mark.parametrize("document", UNSAFE.values(), ids=UNSAFE.keys())
def test_a_logo_that_could_run_or_fetch_something_is_refused_as_unsafe(document):
    assert code_for(document) == "svg_unsafe"


SAFE = {
    "a fragment href with leading space": svg(body='<use href=" #p"/>'),
    "a gradient fill": svg(body='<rect fill="url(#g)"/>'),
    "a harmless style": svg(body="<style>rect { fill: #14a800; opacity: .5 }</style>"),
    "an offset attribute (not an event handler)": svg(body='<stop offset="0"/>'),
    "an Inkscape namespace": svg('height="24" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:version="1.3"'),
    "a UTF-8 byte order mark": b"\xef\xbb\xbf" + svg(),
}


@pytest.mark.parametrize("document", SAFE.values(), ids=SAFE.keys())
def test_an_ordinary_logo_is_not_mistaken_for_an_attack(document):
    assert code_for(document) is None


def test_a_logo_not_in_utf8_is_refused_as_invalid():
    assert code_for(svg().decode().encode("utf-16")) == "svg_invalid"
    assert code_for(b'<?xml version="1.0" encoding="ISO-8859-1"?>' + svg()) == "svg_invalid"


def test_a_logo_nested_300_deep_is_refused_as_invalid():
    assert code_for(svg(body="<g>" * 300 + "</g>" * 300)) == "svg_invalid"


def test_an_undefined_entity_is_refused_as_invalid():
    assert code_for(svg(body="<text>&nbsp;</text>")) == "svg_invalid"


# Logos as Illustrator, Inkscape, Figma and Sketch export them (tests/corpus/assets/make_corpus.py).
TOOL_SIZES = {name: (96, 24) for name in DESIGN_TOOL_LOGOS}
PUBLIC_DOCTYPE = re.compile(rb"<!DOCTYPE svg PUBLIC [^>]*>\r?\n?")


@pytest.mark.parametrize("name", DESIGN_TOOL_LOGOS)
def test_a_logo_as_a_design_tool_exports_it_is_accepted_at_its_size(name):
    checked = check_asset("logo-light", read(name))
    assert (checked.content_type, checked.width, checked.height) == ("image/svg+xml", *TOOL_SIZES[name])


@pytest.mark.parametrize("name", [n for n in DESIGN_TOOL_LOGOS + ["doctype.svg"] if b"<!DOCTYPE" in read(n)])
def test_a_public_svg_doctype_is_removed_and_what_is_stored_is_the_rest_and_still_an_svg(name):
    upload = read(name)
    stored = check_asset("logo-light", upload).data
    assert b"<!DOCTYPE" not in stored
    assert stored == PUBLIC_DOCTYPE.sub(b"", upload, count=1)
    root = defused_fromstring(stored, forbid_dtd=True)  # what browsers get parses without any DTD
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert check_asset("logo-light", stored).data == stored  # and passes the same check as stored


@pytest.mark.parametrize("public_id", ["-//W3C//DTD SVG 1.1//EN", "-//W3C//DTD SVG 1.0//EN", "-//W3C//DTD SVG 20010904//EN"])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_each_public_svg_doctype_is_accepted_in_either_quote_and_any_spacing(public_id, quote):
    doctype = f"<!DOCTYPE  svg\n PUBLIC {quote}{public_id}{quote}\t{quote}http://www.w3.org/x.dtd{quote} >\r\n"
    assert check_asset("logo-light", doctype.encode() + svg()).data == svg()


DOCTYPES_REFUSED = {
    "an internal subset with an entity": '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd" [<!ENTITY a "b">]>',
    "an empty internal subset": '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd" []>',
    "a parameter entity": '<!DOCTYPE svg [<!ENTITY % p SYSTEM "https://evil.example/p.dtd"> %p;]>',
    "a system identifier only": '<!DOCTYPE svg SYSTEM "https://evil.example/svg.dtd">',
    "no identifier": "<!DOCTYPE svg>",
    "SVG Tiny": '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1 Tiny//EN" "x.dtd">',
    "SVG Basic": '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1 Basic//EN" "x.dtd">',
    "a public identifier in other case": '<!DOCTYPE svg PUBLIC "-//w3c//dtd svg 1.1//en" "x.dtd">',
    "XHTML": '<!DOCTYPE svg PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">',
    "another name": '<!DOCTYPE svg:svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">',
    "a second DOCTYPE in a comment": '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><!-- <!DOCTYPE svg> -->',
}


@pytest.mark.parametrize("doctype", DOCTYPES_REFUSED.values(), ids=DOCTYPES_REFUSED.keys())
def test_any_doctype_but_a_plain_public_svg_one_is_refused_as_unsafe(doctype):
    assert code_for(doctype.encode() + b"\n" + svg()) == "svg_unsafe"


@pytest.mark.parametrize("name", HOSTILE_DESIGN_TOOL_LOGOS)
def test_a_hostile_file_shaped_like_a_design_tools_export_is_refused_with_its_code(name):
    assert code_for(read(name)) == EXPECTED[name][1]


STYLES_REFUSED = {
    "url() to another site": "rect{fill:url(https://evil.example/p.svg#g)}",
    "url() to a relative file": "rect{fill:url(p.svg#g)}",
    "a hex escape": "rect{fill:\\75 rl(https://evil.example/p.svg#g)}",
    "a six-digit hex escape": "rect{fill:\\000055RL(https://evil.example/p.svg#g)}",
    "a character escape": "rect{fill:u\\rl(https://evil.example/p.svg#g)}",
    "a comment inside the word": "rect{fill:u/**/rl(https://evil.example/p.svg#g)}",
    "upper case": "rect{fill:URL(HTTPS://EVIL.EXAMPLE/p.svg#g)}",
    "a URL with the fragment behind it": "rect{fill:url( 'x.svg#g' )}",
    "@import of a string": "@import 'https://evil.example/x.css';",
    "@import in upper case": "@IMPORT url(x.css);",
    "@import with an escape": "@\\69mport 'x.css';",
    "@import split by a comment": "@im/**/port 'x.css';",
}


@pytest.mark.parametrize("css", STYLES_REFUSED.values(), ids=STYLES_REFUSED.keys())
@pytest.mark.parametrize("place", ["element", "attribute"])
def test_styles_that_load_something_are_refused_in_a_style_element_or_attribute(css, place):
    body = f"<style>{css}</style>" if place == "element" else f'<rect style="{css.replace(chr(39), "&apos;")}"/>'
    assert code_for(svg(body=body)) == "svg_unsafe"


STYLES_ACCEPTED = {
    "classes as Illustrator writes them": ".st0{fill:#14A800;}\n.st1{fill:url(#SVGID_1_);}",
    "a fragment url() in quotes and spaces": "rect{fill: url( \"#g\" ); stroke:URL(#h)}",
    "enable-background": "svg{enable-background:new 0 0 96 24}",
    "a font stack": "text{font-family:'Helvetica Neue',Arial,sans-serif;font-weight:700}",
    "a comment": "/* brand green */ .st0{fill:#14a800}",
}


@pytest.mark.parametrize("css", STYLES_ACCEPTED.values(), ids=STYLES_ACCEPTED.keys())
def test_styles_that_only_paint_are_accepted(css):
    assert code_for(svg(body=f"<style>{css}</style><rect class='st0' width='9' height='9'/>")) is None


@pytest.mark.parametrize(("height", "expected"), [
    ("6.35mm", None), ("6.4mm", "svg_too_tall"), ("0.635cm", None), ("18pt", None), ("18.1pt", "svg_too_tall"),
    ("0.25in", None), ("1.5pc", None), ("24px", None), ("25px", "svg_too_tall")])
def test_the_24px_rule_holds_for_design_tool_logos_in_every_unit_they_write(height, expected):
    inkscape = read("inkscape-1.3.svg").replace(b'height="6.35mm"', f'height="{height}"'.encode())
    illustrator = read("illustrator-cc.svg").replace(b'height="24px"', f'height="{height}"'.encode())
    assert (code_for(inkscape), code_for(illustrator)) == (expected, expected)


REFUSALS_IN_WORDS = {
    "illustrator-entities.svg": "DOCTYPE with internal definitions",
    "doctype-xhtml.svg": "not the standard SVG 1.0 or 1.1",
    "illustrator-style-url-hex-escape.svg": "url(#id)",
    "illustrator-style-import.svg": "@import",
    "inkscape-onload.svg": "event handler",
    "inkscape-script.svg": "script",
    "figma-image-fill.svg": "data: URL",
    "sketch-external-use.svg": "outside itself",
    "inkscape-1.3-too-tall.svg": "at most 24px high",
    "not-well-formed.svg": "not a well-formed SVG",
}


@pytest.mark.parametrize(("name", "words"), REFUSALS_IN_WORDS.items(), ids=REFUSALS_IN_WORDS.keys())
def test_a_refusal_says_what_is_wrong_in_the_portals_words_not_the_parsers(name, words):
    with pytest.raises(AssetRejected) as refused:
        check_asset("logo-light", read(name))
    detail = refused.value.detail
    assert words in detail and detail.startswith("This ") and detail.endswith(".")
    assert not re.search(r"DTDForbidden|EntitiesForbidden|ParseError|Exception|defused", detail)
