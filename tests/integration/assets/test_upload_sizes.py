"""Real-size files through both ways of sending one: the raw body and the multipart part `file`
(with or without a filename). Both accept the same files up to the same limits (API.md, second
round, "Changed rules"); the finding was a 2.8 KB PNG refused as too large in a multipart form."""
from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image
from urllib3 import encode_multipart_formdata

from services.assets.domain import MAX_IMAGE_BYTES, MAX_SVG_BYTES, asset_kind
from services.assets.uploads import read_upload
from tests.unit.assets.corpus import padded_png, padded_svg, photo, read, tiny_png

pytestmark = pytest.mark.integration

PID = "partner-a"
WAYS = ("raw", "multipart", "multipart-without-filename")


def send(assets, kind: str, data: bytes, way: str, filename: str = "upload.bin"):
    """PUT `data` as a client would: the raw body, or a multipart form with `data` in part `file`."""
    if way == "raw":
        return assets.put(PID, kind, data, headers={"Content-Type": "application/octet-stream"})
    part = (filename, data, "application/octet-stream") if way == "multipart" else data
    body, content_type = encode_multipart_formdata({"file": part})
    return assets.put(PID, kind, body, headers={"Content-Type": content_type})


def stored(assets, answer) -> bytes:
    return assets.get(answer.get_json()["url"].split("example.com", 1)[1], account=None).data


IMAGE_SIZES = {"1 KB": 1024, "2.8 KB (the finding)": 2867, "64 KB + 1 (past one read)": 64 * 1024 + 1,
               "512 KB + 1 (past the in-memory spool)": 512 * 1024 + 1, "3 MB": 3 * 1024 * 1024}


@pytest.mark.parametrize("way", WAYS)
def test_a_branded_image_of_any_size_up_to_the_limit_is_accepted_whichever_way_it_is_sent(assets, way):
    for words, size in IMAGE_SIZES.items():
        answer = send(assets, "branded-image", padded_png(size, tiny_png()), way)
        assert answer.status_code == 200, (words, answer.get_json())
        assert stored(assets, answer) == tiny_png()  # the padding was metadata: dropped


LIMITS = {"branded image, 10 MB": ("branded-image", padded_png, MAX_IMAGE_BYTES, "10 MB"),
          "logo, 512 KB": ("logo-light", padded_svg, MAX_SVG_BYTES, "512 KB")}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(("kind", "padded", "limit", "words"), LIMITS.values(), ids=LIMITS.keys())
def test_exactly_the_limit_is_accepted_and_one_byte_more_is_413_whichever_way_it_is_sent(
        assets, kind, padded, limit, words, way):
    accepted = send(assets, kind, padded(limit), way)
    refused = send(assets, kind, padded(limit + 1), way)
    assert accepted.status_code == 200, accepted.get_json()
    assert (refused.status_code, refused.get_json()["code"]) == (413, "file_too_large")
    assert words in refused.get_json()["detail"]
    assert assets.versions() == 1


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(("fmt", "size"), [("JPEG", (1600, 1200)), ("PNG", (640, 480))])
def test_a_photo_of_a_few_hundred_kb_is_accepted_with_its_pixels_whichever_way_it_is_sent(assets, fmt, size, way):
    original = photo(*size, fmt)
    assert 250_000 < len(original) < 1_000_000  # a photo's size, not a flat colour's
    answer = send(assets, "branded-image", original, way, filename=f"team.{fmt.lower()}")
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["width"], answer.get_json()["height"]) == size
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stored(assets, answer))) as after:
        assert before.tobytes() == after.tobytes()


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", ["illustrator-cc.svg", "inkscape-1.3.svg", "figma.svg", "sketch-70.svg"])
def test_a_logo_as_design_tools_export_it_is_accepted_whichever_way_it_is_sent(assets, name, way):
    answer = send(assets, "logo-dark", read(name), way, filename=name)
    assert answer.status_code == 200, answer.get_json()
    served = stored(assets, answer)
    assert b"<!DOCTYPE" not in served and served.rstrip().endswith(b"</svg>")


def multipart(*parts: tuple[str, str | None, bytes], boundary: str = "b0undary") -> tuple[bytes, str]:
    """A hand-made multipart body: (name, filename or None, content) per part."""
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


MALFORMED = {
    "two file parts": multipart(("file", "a.svg", read("logo-24.svg")), ("file", None, read("logo-24.svg"))),
    "no closing boundary": (multipart(("file", "a.svg", read("logo-24.svg")))[0][:-14],
                            "multipart/form-data; boundary=b0undary"),
    "no boundary parameter": (multipart(("file", "a.svg", read("logo-24.svg")))[0], "multipart/form-data"),
    "another boundary than declared": (multipart(("file", "a.svg", read("logo-24.svg")))[0],
                                       "multipart/form-data; boundary=other"),
    "a part without Content-Disposition": (b"--b0undary\r\nContent-Type: image/svg+xml\r\n\r\n<svg/>\r\n--b0undary--\r\n",
                                           "multipart/form-data; boundary=b0undary"),
    "a part header of 200 KB": (b"--b0undary\r\nX-Filler: " + b"x" * 200_000 + b"\r\n\r\n\r\n--b0undary--\r\n",
                                "multipart/form-data; boundary=b0undary"),
    "nine parts": multipart(*[("file", None, b"<svg/>")] * 9),
}


def test_a_multipart_body_that_is_not_one_file_answers_422_and_stores_nothing(assets):
    for what, (body, content_type) in MALFORMED.items():
        answer = assets.put(PID, "logo-light", body, headers={"Content-Type": content_type})
        assert (answer.status_code, answer.get_json()["code"]) == (422, "validation_error"), what
    assert assets.versions() == 0 and assets.storage_objects() == []


def test_a_file_part_may_come_after_a_preamble_and_before_an_epilogue(assets):
    body, content_type = multipart(("file", None, read("sketch-70.svg")))
    answer = assets.put(PID, "logo-light", b"This is a preamble.\r\n" + body + b"an epilogue",
                        headers={"Content-Type": content_type})
    assert answer.status_code == 200, answer.get_json()


def test_a_10_mb_multipart_upload_is_read_holding_the_file_once_in_memory(assets):
    """The form streams to a temporary file; only the returned bytes stay in memory."""
    body, content_type = encode_multipart_formdata({"file": ("big.png", padded_png(MAX_IMAGE_BYTES), "image/png")})
    with assets.app.test_request_context(f"/api/v1/partners/{PID}/assets/branded-image", method="PUT",
                                         data=body, content_type=content_type):
        from flask import request
        tracemalloc.start()
        try:
            data = read_upload(request, asset_kind("branded-image"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert len(data) == MAX_IMAGE_BYTES
    assert peak < MAX_IMAGE_BYTES * 1.2, f"{peak:,} bytes at the peak for a {MAX_IMAGE_BYTES:,}-byte file"


@pytest.mark.parametrize("way", WAYS)
def test_a_chunked_body_without_a_length_of_exactly_the_limit_is_accepted_and_one_byte_more_is_413(assets, way):
    """As the gateway forwards a stream: Transfer-Encoding chunked, no Content-Length."""
    answers = []
    for size in (MAX_IMAGE_BYTES, MAX_IMAGE_BYTES + 1):
        data = padded_png(size)
        if way == "raw":
            body, content_type = data, "application/octet-stream"
        else:
            body, content_type = encode_multipart_formdata(
                {"file": ("big.png", data, "image/png") if way == "multipart" else data})
        answers.append(assets.client.put(
            f"/api/v1/partners/{PID}/assets/branded-image", input_stream=io.BytesIO(body),
            headers={**assets.token("ada"), "Content-Type": content_type},
            environ_overrides={"wsgi.input_terminated": True}))
    assert [a.status_code for a in answers] == [200, 413], [a.get_json() for a in answers]
    assert answers[1].get_json()["code"] == "file_too_large"
