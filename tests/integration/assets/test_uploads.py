"""Uploading brand assets through the HTTP API: what is accepted, stored and announced."""
from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from services.assets.domain import MAX_IMAGE_BYTES
from tests.unit.assets.corpus import EXPECTED, padded_png, read

from .conftest import PUBLIC_URL

pytestmark = pytest.mark.integration

PID = "partner-a"
REFUSED = sorted(name for name, (_, code) in EXPECTED.items() if code)


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC_URL + "/assets/")
    return url.removeprefix(PUBLIC_URL)


@pytest.mark.parametrize(("kind", "name", "content_type", "size"), [
    ("logo-light", "logo-24.svg", "image/svg+xml", (96, 24)),
    ("logo-dark", "logo-viewbox-short.svg", "image/svg+xml", (96, 24)),
    ("branded-image", "ratio-4x3.png", "image/png", (400, 300)),
    ("branded-image", "progressive.jpg", "image/jpeg", (400, 300)),
])
def test_an_uploaded_asset_becomes_current_and_is_served_from_its_content_address(
        assets, kind, name, content_type, size):
    answer = assets.put(PID, kind, read(name), headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["kind"], body["content_type"], (body["width"], body["height"])) == (kind, content_type, size)
    extension = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg"}[content_type]
    assert body["url"] == f"{PUBLIC_URL}/assets/{PID}/{body['sha256']}.{extension}"
    served = assets.get(path_of(body["url"]), account=None)
    assert served.status_code == 200 and len(served.data) == body["bytes"]
    assert served.headers["Content-Type"] == content_type
    assert assets.get(f"/api/v1/partners/{PID}/assets").get_json()["items"] == [body]
    assert assets.storage_objects() == [f"{PID}/{body['sha256']}.{extension}"]


def test_a_multipart_upload_is_read_from_its_file_field_whatever_its_name_and_type(assets):
    form = {"file": (io.BytesIO(read("logo-24.svg")), "logo.png", "image/png")}
    answer = assets.put_form(PID, "logo-light", form)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["content_type"] == "image/svg+xml"


@pytest.mark.parametrize(("fields", "flagged"), [(["image"], "image"), (["file", "note"], "note"), ([], "file")])
def test_a_multipart_upload_needs_exactly_its_file_field(assets, fields, flagged):
    form = {name: (io.BytesIO(read("logo-24.svg")), "logo.svg") if name != "note" else "hi" for name in fields}
    answer = assets.put_form(PID, "logo-light", form)
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "validation_error" and flagged in answer.get_json()["errors"]
    assert assets.versions() == 0


def test_every_file_of_the_attack_corpus_answers_its_code_and_nothing_is_stored(assets):
    answers = {}
    for name in REFUSED:
        kind, _ = EXPECTED[name]
        answer = assets.put(PID, kind, read(name))
        assert answer.headers["Content-Type"] == "application/problem+json"
        answers[name] = (answer.status_code, answer.get_json()["code"])
    assert answers == {name: (422, EXPECTED[name][1]) for name in REFUSED}
    assert assets.versions() == 0 and assets.storage_objects() == []
    assert assets.get(f"/api/v1/partners/{PID}/assets").get_json()["items"] == []


@pytest.mark.parametrize("multipart", [False, True])
def test_an_image_one_byte_over_10_mb_is_refused_as_too_large(assets, multipart):
    image = padded_png(MAX_IMAGE_BYTES + 1)
    if multipart:
        answer = assets.put_form(PID, "branded-image", {"file": (io.BytesIO(image), "big.png")})
    else:
        answer = assets.put(PID, "branded-image", image)
    assert (answer.status_code, answer.get_json()["code"]) == (413, "file_too_large")
    assert assets.versions() == 0 and assets.storage_objects() == []


def test_an_image_of_exactly_10_mb_is_accepted_and_stored_without_its_padding(assets):
    answer = assets.put(PID, "branded-image", padded_png(MAX_IMAGE_BYTES))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["bytes"] == len(read("ratio-4x3.png"))


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(assets):
    answer = assets.put(PID, "branded-image", read("ratio-4x3.png"),
                        environ_overrides={"CONTENT_LENGTH": str(2 * 1024 ** 3)})
    assert (answer.status_code, answer.get_json()["code"]) == (413, "file_too_large")
    assert assets.versions() == 0


def test_a_body_longer_than_its_declared_length_is_cut_there_and_refused(assets):
    image = read("ratio-4x3.png")
    answer = assets.put(PID, "branded-image", image, environ_overrides={"CONTENT_LENGTH": str(len(image) // 2)})
    assert (answer.status_code, answer.get_json()["code"]) == (422, "image_invalid")
    assert assets.versions() == 0 and assets.storage_objects() == []


def test_an_empty_body_is_refused(assets):
    answer = assets.put(PID, "logo-dark", b"")
    assert (answer.status_code, answer.get_json()["code"]) == (422, "empty_file")


def test_an_image_loses_its_metadata_but_keeps_its_pixels(assets):
    original = read("exif-gps.jpg")
    body = assets.put(PID, "branded-image", original).get_json()
    stored = assets.get(path_of(body["url"]), account=None).data
    assert b"Exif" not in stored and b"GPS" not in stored and len(stored) < len(original)
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stored)) as after:
        assert before.tobytes() == after.tobytes()


def test_a_new_upload_gets_a_new_url_and_the_old_one_keeps_working(assets):
    first = assets.put(PID, "logo-light", read("logo-24.svg")).get_json()
    second = assets.put(PID, "logo-light", read("logo-24px.svg")).get_json()
    assert first["url"] != second["url"]
    assert assets.get(f"/api/v1/partners/{PID}/assets").get_json()["items"] == [second]
    assert assets.get(path_of(first["url"]), account=None).data == read("logo-24.svg")
    versions = assets.get(f"/api/v1/partners/{PID}/assets/logo-light/versions").get_json()
    assert [v["sha256"] for v in versions["items"]] == [second["sha256"], first["sha256"]]
    assert {v["uploaded_by"] for v in versions["items"]} == {"ada"} and versions["next_cursor"] is None


def test_uploading_the_current_file_again_adds_no_version(assets):
    first = assets.put(PID, "logo-dark", read("logo-24.svg")).get_json()
    again = assets.put(PID, "logo-dark", read("logo-24.svg")).get_json()
    assert again == first and assets.versions() == 1


def test_versions_come_in_pages(assets):
    for name in ("logo-24.svg", "logo-24px.svg", "logo-viewbox-short.svg"):
        assets.put(PID, "logo-dark", read(name))
    first = assets.get(f"/api/v1/partners/{PID}/assets/logo-dark/versions?limit=2").get_json()
    rest = assets.get(f"/api/v1/partners/{PID}/assets/logo-dark/versions?limit=2&cursor={first['next_cursor']}")
    assert len(first["items"]) == 2 and len(rest.get_json()["items"]) == 1
    assert rest.get_json()["next_cursor"] is None
    for query, code in (("cursor=garbage", "invalid_cursor"), ("limit=0", "invalid_parameter"),
                        ("cursor=WyJ4Il0", "invalid_cursor")):
        bad = assets.get(f"/api/v1/partners/{PID}/assets/logo-dark/versions?{query}")
        assert (bad.status_code, bad.get_json()["code"]) == (400, code)


def test_serving_headers_make_the_file_inert_and_cacheable_forever(assets):
    logo = assets.put(PID, "logo-light", read("logo-24.svg")).get_json()
    image = assets.put(PID, "branded-image", read("ratio-4x3.png")).get_json()
    svg = assets.get(path_of(logo["url"]), account=None)
    png = assets.get(path_of(image["url"]), account=None)
    for served, body in ((svg, logo), (png, image)):
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert served.headers["ETag"] == f'"{body["sha256"]}"'
    assert svg.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert "Content-Security-Policy" not in png.headers
    again = assets.get(path_of(logo["url"]), account=None, headers={"If-None-Match": f'"{logo["sha256"]}"'})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", [
    f"/assets/{PID}/{'0' * 64}.svg", "/assets/partner-a/nothing", "/assets/x/y/z", "/assets/../etc/passwd"])
def test_files_that_no_upload_recorded_are_not_found(assets, path):
    answer = assets.get(path, account=None)
    assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/problem+json"


def test_the_url_comes_from_the_public_address_never_the_host_header(assets):
    answer = assets.put(PID, "logo-light", read("logo-24.svg"), headers={"Host": "evil.example"})
    assert answer.get_json()["url"].startswith(PUBLIC_URL + "/assets/")


def test_a_new_current_asset_is_announced_on_the_bus(assets):
    body = assets.put(PID, "branded-image", read("ratio-4x3.png")).get_json()
    assets.put(PID, "branded-image", read("ratio-4x3.png"))
    bus = assets.runtime.bus
    bus.declare("observer", ["assets.asset.updated"])
    assets.runtime.relay().relay_once()
    seen, stop = [], threading.Event()

    def handle(delivery):
        seen.append(delivery.message)
        delivery.ack()
        stop.set()

    bus.consume("observer", handle, stop)
    assert bus.depth("observer") == 0 and len(seen) == 1
    from services.common.bus import Envelope
    event = Envelope.from_bytes(seen[0].body)
    assert event.event_type == "assets.asset.updated"
    # the event names who uploaded it too (the activity log credits them), which the answer does not
    assert event.payload == {"partner_id": PID, **body, "updated_at": event.payload["updated_at"],
                             "uploaded_by": event.payload["uploaded_by"]}
    assert event.payload["uploaded_by"]
    assert event.payload["updated_at"].startswith(body["updated_at"][:19])
