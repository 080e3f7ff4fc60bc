"""The inert-page check itself refuses what it must (so that a page passing it means something)."""
import pytest

from tests.support.inert import inert_problems

CSP = {"Content-Security-Policy": "default-src 'none'; script-src 'self'"}
SAFE = '<p>&lt;script&gt;x&lt;/script&gt;</p><script type="application/ld+json">{"a": "\\u003c"}</script>'


def test_a_safe_page_passes():
    assert inert_problems(SAFE, ["<script>x</script>"], CSP) == []


@pytest.mark.parametrize(("html", "headers", "flagged"), [
    (SAFE, {}, "no Content-Security-Policy"),
    (SAFE, {"Content-Security-Policy": "script-src 'self' 'unsafe-inline'"}, "unsafe-inline"),
    ("<p><script>x</script></p>", CSP, "markup"),
    ("<script>run()</script>" + SAFE, CSP, "inline script"),
    ('<img src=x onerror="a()">' + SAFE, CSP, "event handler"),
    ('<a href=" javascript:a()">x</a>' + SAFE, CSP, "javascript:"),
    ('<script type="application/ld+json">{"a": "</b>"}</script>' + SAFE, CSP, "could close"),
    ("<p>nothing</p>", CSP, "not shown"),
])
def test_each_unsafe_page_is_flagged(html, headers, flagged):
    assert any(flagged in problem for problem in inert_problems(html, ["<script>x</script>"], headers))
