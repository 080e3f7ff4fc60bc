"""SVG logos: at most 24px high and nothing a browser would fetch or run."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.assets.domain import AssetRejected, check_asset

from .corpus import read, svg

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
