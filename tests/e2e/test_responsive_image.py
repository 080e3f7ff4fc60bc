"""The branded image in responsive sizes through the gateway (issue 17, "The page"): a
2000x1500 upload yields its resized variants, each served, and the published page lists them
in srcset so a phone can choose a small one."""
import html
import re

import pytest
import requests

from tests.e2e.helpers import publishable_page
from tests.e2e.test_gateway_public_pages import publish
from tests.unit.assets.corpus import photo

pytestmark = pytest.mark.e2e


def upload_photo(stack, ready, width=2000, height=1500):
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    answer = stack.call("PUT", f"/api/v1/partners/{pid}/assets/branded-image", token,
                        data=photo(width, height), headers={"Content-Type": "image/jpeg"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_2000x1500_upload_yields_variants_served_and_listed_in_the_pages_srcset(stack):
    ready = publishable_page(stack)
    page = publish(stack, ready)
    image = upload_photo(stack, ready)
    assert [(v["width"], v["content_type"]) for v in image["variants"]] == [
        (480, "image/jpeg"), (480, "image/webp"), (960, "image/jpeg"), (960, "image/webp"),
        (1600, "image/jpeg"), (1600, "image/webp")]
    for variant in image["variants"]:
        served = requests.get(variant["url"], timeout=10)
        assert served.status_code == 200 and len(served.content) == variant["bytes"]
        assert served.headers["Content-Type"] == variant["content_type"]
    smallest = image["variants"][1]
    assert smallest["bytes"] < 100_000 < image["bytes"]
    shown = html.unescape(stack.call("GET", page).text)  # the upload's answer is shown at once
    webp = re.search(r'<source type="image/webp" sizes="[^"]+"\s+srcset="([^"]+)"', shown)
    assert webp and webp.group(1).startswith(f"{smallest['url']} 480w, ")
    assert f'{image["url"]} 2000w" sizes=' in shown

