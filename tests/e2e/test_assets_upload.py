"""Brand assets through the gateway: uploaded, served, and counted by catalog for publishing."""
import pytest
import requests

from tests.e2e.helpers import CORPUS, eventually_ok, new_partner, sign_up, upload
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e

ASSETS = (("logo-light", "logo-24.svg"), ("logo-dark", "logo-24px.svg"), ("branded-image", "ratio-4x3.png"))
REQUIREMENTS = ("logo_light", "logo_dark", "branded_image")


def partner_with_access(stack):
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    eventually_ok(stack, f"/api/v1/partners/{partner['id']}/assets", admin["token"])
    return partner["id"], admin["token"]


def requirements(stack, pid, token):
    return stack.call("GET", f"/api/v1/partners/{pid}/page", token).json()["requirements"]


def test_uploaded_assets_are_served_and_meet_catalogs_publish_requirements(stack):
    pid, token = partner_with_access(stack)
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", token)
    assert not any(requirements(stack, pid, token)[key]["met"] for key in REQUIREMENTS)
    uploaded = {}
    for kind, filename in ASSETS:
        answer = upload(stack, token, pid, kind, filename)
        assert answer.status_code == 200, answer.text
        uploaded[kind] = answer.json()
    listed = stack.call("GET", f"/api/v1/partners/{pid}/assets", token).json()["items"]
    assert {item["kind"]: item["url"] for item in listed} == {k: v["url"] for k, v in uploaded.items()}
    logo = requests.get(uploaded["logo-light"]["url"], timeout=10)
    assert logo.status_code == 200 and logo.content == (CORPUS / "logo-24.svg").read_bytes()
    assert logo.headers["Content-Type"] == "image/svg+xml"
    assert logo.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert logo.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    image = requests.get(uploaded["branded-image"]["url"], timeout=10)
    assert image.headers["Content-Type"] == "image/png" and image.headers["X-Content-Type-Options"] == "nosniff"
    wait_until(lambda: all(requirements(stack, pid, token)[key]["met"] for key in REQUIREMENTS), 15, 0.1,
               "catalog to count the three assets")


def test_bad_uploads_through_the_gateway_answer_their_codes_and_change_nothing(stack):
    pid, token = partner_with_access(stack)
    image = (CORPUS / "ratio-4x3.png").read_bytes()
    too_large = image + b"\0" * (10_485_761 - len(image))
    answers = [stack.call("PUT", f"/api/v1/partners/{pid}/assets/branded-image", token, data=too_large),
               upload(stack, token, pid, "logo-dark", "script.svg"),
               upload(stack, token, pid, "logo-light", "png-renamed.svg"),
               stack.call("PUT", f"/api/v1/partners/{pid}/assets/logo-light", None,
                          data=(CORPUS / "logo-24.svg").read_bytes())]
    codes = [(a.status_code, a.json()["code"]) for a in answers]
    assert codes == [(413, "file_too_large"), (422, "svg_unsafe"), (422, "unsupported_type"),
                     (401, "unauthorized")]
    assert stack.call("GET", f"/api/v1/partners/{pid}/assets", token).json()["items"] == []
