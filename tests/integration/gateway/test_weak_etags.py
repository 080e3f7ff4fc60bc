"""If-None-Match uses the weak comparison (RFC 9110 13.1.2; API.md "Changed rules"): ``W/"x"``
matches ``"x"``, in a list or as ``*``, on the public page and its JSON twin, both when Flask's view
answers and when the fast path answers from its copy (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from werkzeug.test import Client

from tests.integration.gateway.test_fast_path import PAGES, cached, fast, visit  # noqa: F401 (fixture)
from tests.integration.gateway.test_public_pages import publish

pytestmark = pytest.mark.integration

HELD = ['W/{tag}', '{tag}', '"other", W/{tag}', 'W/"other",{tag}', '*']
NOT_HELD = ['W/"other"', '"other", W/"nope"', '{tag}x']


def _headers(form: str, tag: str) -> dict:
    return {"If-None-Match": form.format(tag=tag)}


@pytest.mark.parametrize("url", PAGES)
def test_a_weak_or_listed_etag_of_the_page_answers_304_from_the_view_and_from_the_fast_path(gateway, fast, url):
    publish(gateway)
    tag = visit(gateway, url).headers["ETag"]
    for form in HELD:
        assert Client(fast.app.app).get(url, headers=_headers(form, tag)).status_code == 304, form
    cached(gateway, fast, url)
    calls = fast.app.calls
    for form in HELD:
        assert visit(gateway, url, **_headers(form, tag)).status_code == 304, form
    assert fast.app.calls == calls, "the conditional visits reached Flask"


@pytest.mark.parametrize("url", PAGES)
def test_an_etag_the_visitor_does_not_hold_answers_200_with_the_body(gateway, fast, url):
    publish(gateway)
    tag = visit(gateway, url).headers["ETag"]
    cached(gateway, fast, url)
    for form in NOT_HELD:
        headers = _headers(form, tag)
        quick, slow = visit(gateway, url, **headers), Client(fast.app.app).get(url, headers=headers)
        assert quick.status_code == slow.status_code == 200 and quick.get_data() == slow.get_data(), form
