"""If-None-Match through the whole stack uses the weak comparison (RFC 9110 13.1.2; API.md
"Changed rules"): a browser or CDN that sends back ``W/"<etag>"`` (or a list holding it, or ``*``)
gets 304 without the body, from the public page, its JSON twin and the asset files; each visit
is made twice, so the second is answered by the gateway's fast path."""
import pytest
import requests

from tests.e2e.helpers import publishable_page, upload
from tests.e2e.test_gateway_public_pages import publish

pytestmark = pytest.mark.e2e

HELD = ['W/{tag}', '{tag}', '"other", W/{tag}', '*']
NOT_HELD = ['W/"other"', '"other", "more"']


def _visits(get, tag: str, forms: list[str]) -> set[int]:
    return {get({"If-None-Match": form.format(tag=tag)}).status_code for form in forms for _ in range(2)}


def test_the_public_page_and_its_json_answer_304_to_a_weak_etag_and_200_to_another(stack):
    ready = publishable_page(stack)
    page = publish(stack, ready)
    for path in (page, f"/api/v1/public/pages/{ready['partner']['slug']}"):
        first = stack.call("GET", path)
        assert first.status_code == 200
        get = lambda headers, path=path: stack.call("GET", path, headers=headers)  # noqa: E731
        assert _visits(get, first.headers["ETag"], HELD) == {304}, path
        assert _visits(get, first.headers["ETag"], NOT_HELD) == {200}, path
        assert get({"If-None-Match": 'W/"other"'}).content == first.content


def test_an_asset_file_answers_304_to_its_weak_etag(stack):
    ready = publishable_page(stack)
    uploaded = upload(stack, ready["admin"]["token"], ready["partner"]["id"], "logo-light", "logo-viewbox-short.svg")
    url = uploaded.json()["url"].replace(stack.env.get("PORTAL_PUBLIC_URL", stack.url), stack.url)
    first = requests.get(url, timeout=5)
    assert first.status_code == 200
    get = lambda headers: requests.get(url, headers=headers, timeout=5)  # noqa: E731
    assert _visits(get, first.headers["ETag"], HELD) == {304}
    assert _visits(get, first.headers["ETag"], NOT_HELD) == {200}
