"""The branded image resized once at upload: stored content-addressed beside the original on
the folder and on S3, listed in the answer and the event, served like the original."""
from __future__ import annotations

import hashlib
import io
import threading

import pytest
from PIL import Image

from services.common.bus import Envelope

from .conftest import PUBLIC_URL

pytestmark = pytest.mark.integration

PID = "partner-a"


def photo(width: int, height: int, fmt: str = "JPEG", mode: str = "RGB", **save) -> bytes:
    """A picture with detail in it (a gradient under noise), as a camera would send."""
    noise = Image.effect_noise((width, height), 40).convert(mode if mode != "P" else "RGB")
    gradient = Image.linear_gradient("L").resize((width, height)).convert(noise.mode)
    picture = Image.blend(noise, gradient, 0.6)
    if mode == "P":
        picture = picture.convert("P")
    out = io.BytesIO()
    picture.save(out, fmt, **save)
    return out.getvalue()


def served(assets, url: str):
    assert url.startswith(PUBLIC_URL + "/assets/")
    return assets.get(url.removeprefix(PUBLIC_URL), account=None)


def test_a_2000x1500_photo_gets_three_widths_in_jpeg_and_webp_each_served_like_the_original(assets):
    body = assets.put(PID, "branded-image", photo(2000, 1500, quality=92)).get_json()
    got = [(v["width"], v["height"], v["content_type"]) for v in body["variants"]]
    assert got == [(480, 360, "image/jpeg"), (480, 360, "image/webp"), (960, 720, "image/jpeg"),
                   (960, 720, "image/webp"), (1600, 1200, "image/jpeg"), (1600, 1200, "image/webp")]
    for variant in body["variants"]:
        answer = served(assets, variant["url"])
        assert answer.status_code == 200 and answer.headers["Content-Type"] == variant["content_type"]
        assert len(answer.data) == variant["bytes"] == int(answer.headers["Content-Length"])
        sha = hashlib.sha256(answer.data).hexdigest()
        extension = {"image/jpeg": "jpg", "image/webp": "webp"}[variant["content_type"]]
        assert variant["url"] == f"{PUBLIC_URL}/assets/{PID}/{sha}.{extension}"  # content-addressed
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert served(assets, variant["url"]).status_code == 200
        with Image.open(io.BytesIO(answer.data)) as image:
            assert image.size == (variant["width"], variant["height"])
            assert image.format == extension.replace("jpg", "jpeg").upper()
    small = {v["content_type"]: v["bytes"] for v in body["variants"] if v["width"] == 480}
    assert small["image/webp"] < 100_000 and small["image/webp"] < body["bytes"] / 5
    assert len(assets.storage_objects()) == 7
    assert assets.get(f"/api/v1/partners/{PID}/assets").get_json()["items"] == [body]


def test_variants_are_never_wider_than_the_original_and_a_small_image_has_none(assets):
    middling = assets.put(PID, "branded-image", photo(1200, 900)).get_json()
    assert sorted({v["width"] for v in middling["variants"]}) == [480, 960]
    small = assets.put(PID, "branded-image", photo(400, 300)).get_json()
    assert small["variants"] == []


def test_a_png_keeps_its_format_and_its_transparency_in_the_webp(assets):
    out = io.BytesIO()
    Image.new("RGBA", (1024, 768), (200, 30, 30, 90)).save(out, "PNG")
    body = assets.put(PID, "branded-image", out.getvalue()).get_json()
    assert [v["content_type"] for v in body["variants"]] == ["image/png", "image/webp"] * 2
    webp = served(assets, body["variants"][1]["url"]).data
    with Image.open(io.BytesIO(webp)) as image:
        assert image.mode == "RGBA" and image.getpixel((5, 5))[3] == 90


def test_a_rotated_phone_photo_is_resized_upright(assets):
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated by 90 degrees: 1500x2000 stored is 2000x1500 shown
    body = assets.put(PID, "branded-image", photo(1500, 2000, exif=exif.tobytes())).get_json()
    assert (body["width"], body["height"]) == (2000, 1500)
    assert body["variants"][0]["width"] == 480 and body["variants"][0]["height"] == 360


def test_uploading_the_same_image_again_stores_nothing_new(assets):
    data = photo(1000, 750)
    first = assets.put(PID, "branded-image", data).get_json()
    objects = assets.storage_objects()
    assert assets.put(PID, "branded-image", data).get_json() == first
    assert assets.storage_objects() == objects and assets.versions() == 1


def test_a_variant_key_no_upload_recorded_is_not_served(assets):
    fake = hashlib.sha256(b"nothing").hexdigest()
    assert assets.get(f"/assets/{PID}/{fake}.webp", account=None).status_code == 404


def test_the_event_lists_the_variants(assets):
    body = assets.put(PID, "branded-image", photo(1000, 750)).get_json()
    bus = assets.runtime.bus
    bus.declare("observer", ["assets.asset.updated"])
    assets.runtime.relay().relay_once()
    seen, stop = [], threading.Event()

    def handle(delivery):
        seen.append(Envelope.from_bytes(delivery.message.body).payload)
        delivery.ack()
        stop.set()

    bus.consume("observer", handle, stop)
    assert seen[0]["variants"] == body["variants"] and len(body["variants"]) == 4
