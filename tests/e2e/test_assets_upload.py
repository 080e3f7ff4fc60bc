"""Brand assets through the gateway: uploaded, served, and counted by catalog for publishing."""
import hashlib
import html
import json
import mimetypes
import subprocess
from pathlib import Path

import pytest
import requests

from services.assets.domain import MAX_IMAGE_BYTES
from tests.e2e.helpers import CORPUS, eventually_ok, new_partner, sign_up, upload
from tests.support.portal import Browser
from tests.support.procs import wait_until
from tests.unit.assets.corpus import padded_png, photo, tiny_png

pytestmark = pytest.mark.e2e

ASSETS = (("logo-light", "logo-24.svg"), ("logo-dark", "logo-24px.svg"), ("branded-image", "ratio-4x3.png"))
REQUIREMENTS = ("logo_light", "logo_dark", "branded_image")


def partner_and_admin(stack) -> tuple[str, dict]:
    """A new partner's id and its admin's account, once assets knows the admin."""
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    eventually_ok(stack, f"/api/v1/partners/{partner['id']}/assets", admin["token"])
    return partner["id"], admin


def partner_with_access(stack):
    pid, admin = partner_and_admin(stack)
    return pid, admin["token"]


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


# Every way a client sends a file, through the gateway, with files of the sizes partners upload
# (API.md, second round: multipart and raw bodies accept the same files up to the same limits).

def _raw(stack, token, pid, kind, path: Path):
    return _answer(requests.put(f"{stack.url}/api/v1/partners/{pid}/assets/{kind}", data=path.read_bytes(),
                                headers={"Authorization": f"Bearer {token}",
                                         "Content-Type": "application/octet-stream"}, timeout=60))


def _requests_files(stack, token, pid, kind, path: Path):
    with path.open("rb") as file:
        return _answer(requests.put(f"{stack.url}/api/v1/partners/{pid}/assets/{kind}", timeout=60,
                                    files={"file": (path.name, file)}, headers={"Authorization": f"Bearer {token}"}))


def _curl(*form: str):
    def send(stack, token, pid, kind, path: Path):
        args = [arg.format(path=path) for arg in form]
        done = subprocess.run(
            ["curl", "-sS", "-X", "PUT", "-H", f"Authorization: Bearer {token}", *args, "-w", "\n%{http_code}",
             f"{stack.url}/api/v1/partners/{pid}/assets/{kind}"], capture_output=True, timeout=60, check=True)
        body, _, status = done.stdout.rpartition(b"\n")
        return int(status), json.loads(body)
    return send


def _answer(response: requests.Response) -> tuple[int, dict]:
    return response.status_code, response.json()


CLIENTS = {
    "raw body (requests data=)": _raw,
    "requests files=": _requests_files,
    "curl -F file=@": _curl("-F", "file=@{path}"),
    "curl -F file=< (no filename)": _curl("-F", "file=<{path}"),
    "curl --data-binary": _curl("-H", "Content-Type: application/octet-stream", "--data-binary", "@{path}"),
}


def real_size_files(folder: Path) -> dict[str, tuple[str, Path, int]]:
    """name -> (kind, file, expected status): 1 KB to the 10 MB limit and one byte over, photos, logos."""
    made = {
        "1 KB.png": ("branded-image", padded_png(1024, tiny_png()), 200),
        "2.8 KB.png": ("branded-image", padded_png(2867, tiny_png()), 200),
        "photo.jpg": ("branded-image", photo(1600, 1200), 200),
        "photo.png": ("branded-image", photo(640, 480, "PNG"), 200),
        "10 MB.png": ("branded-image", padded_png(MAX_IMAGE_BYTES), 200),
        "10 MB + 1.png": ("branded-image", padded_png(MAX_IMAGE_BYTES + 1), 413),
        "illustrator.svg": ("logo-light", (CORPUS / "illustrator-cc.svg").read_bytes(), 200),
        "inkscape.svg": ("logo-dark", (CORPUS / "inkscape-1.3.svg").read_bytes(), 200),
    }
    files = {}
    for name, (kind, data, status) in made.items():
        (folder / name).write_bytes(data)
        files[name] = (kind, folder / name, status)
    return files


@pytest.fixture(scope="module")
def upload_files(tmp_path_factory):
    return real_size_files(tmp_path_factory.mktemp("uploads"))


@pytest.mark.parametrize("client", CLIENTS.values(), ids=CLIENTS.keys())
def test_real_size_files_are_accepted_up_to_the_limit_by_every_client_and_one_byte_over_is_413(
        stack, upload_files, client):
    pid, token = partner_with_access(stack)
    for name, (kind, path, expected) in upload_files.items():
        status, body = client(stack, token, pid, kind, path)
        assert status == expected, (name, body)
        if expected == 413:
            assert body["code"] == "file_too_large" and "10 MB" in body["detail"], body
            continue
        served = requests.get(body["url"], timeout=30)
        assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == body["sha256"]
        if path.suffix == ".svg":
            assert b"<!DOCTYPE" not in served.content or b"<!DOCTYPE" not in path.read_bytes()
        listed = {item["kind"]: item["sha256"] for item in
                  stack.call("GET", f"/api/v1/partners/{pid}/assets", token).json()["items"]}
        assert listed[kind] == body["sha256"], name


def test_real_size_files_are_accepted_up_to_the_limit_through_the_portals_form(stack, upload_files):
    pid, admin = partner_and_admin(stack)
    token = admin["token"]
    tab = Browser(stack)
    assert tab.sign_in(admin).status_code == 303
    for name, (kind, path, expected) in upload_files.items():
        tab.get(f"/portal/p/{pid}/assets")
        mime = "image/svg+xml" if path.suffix == ".svg" else mimetypes.guess_type(path.name)[0]
        with path.open("rb") as file:
            answer = tab.post(f"/portal/p/{pid}/assets/{kind}", files={"file": (path.name, file, mime)})
        if expected == 413:
            assert answer.status_code == 413 and "larger than 10 MB" in answer.text, (name, answer.status_code)
            continue
        assert answer.status_code == 303, (name, answer.status_code, answer.text[:300])
        listed = {item["kind"]: item for item in
                  stack.call("GET", f"/api/v1/partners/{pid}/assets", token).json()["items"]}
        served = requests.get(listed[kind]["url"], timeout=30).content
        assert hashlib.sha256(served).hexdigest() == listed[kind]["sha256"], name


REFUSED_IN_WORDS = {"illustrator-entities.svg": "DOCTYPE with internal definitions",
                    "illustrator-style-import.svg": "@import"}


@pytest.mark.parametrize(("name", "words"), REFUSED_IN_WORDS.items(), ids=REFUSED_IN_WORDS.keys())
def test_a_refused_logo_is_explained_in_the_portals_words_through_the_api_and_the_portal(stack, name, words):
    pid, admin = partner_and_admin(stack)
    refused = upload(stack, admin["token"], pid, "logo-light", name)
    assert (refused.status_code, refused.json()["code"]) == (422, "svg_unsafe")
    assert words in refused.json()["detail"] and "Forbidden" not in refused.json()["detail"]
    tab = Browser(stack)
    tab.sign_in(admin)
    tab.get(f"/portal/p/{pid}/assets")
    page = tab.post(f"/portal/p/{pid}/assets/logo-light",
                    files={"file": (name, (CORPUS / name).read_bytes(), "image/svg+xml")})
    assert page.status_code == 422 and html.escape(words, quote=False) in page.text
