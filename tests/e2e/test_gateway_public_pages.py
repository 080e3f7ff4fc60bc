"""Public pages through the gateway: immediate on publish, unpublish and upload, within
2 seconds for changes that come over the bus, and up while catalog and assets are down."""
import time

import pytest
import requests

from tests.e2e.helpers import later, publishable_page, put_talent, upload
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e


def publish(stack, ready, on=True):
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    answer = stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": on})
    assert answer.status_code == 200, answer.text
    return f"/experts/{ready['partner']['slug']}"


def test_a_page_goes_public_at_once_on_publish_and_disappears_at_once_on_unpublish(stack):
    ready = publishable_page(stack)
    page = f"/experts/{ready['partner']['slug']}"
    assert stack.call("GET", page).status_code == 404
    publish(stack, ready)
    shown = stack.call("GET", page)
    assert shown.status_code == 200
    assert ready["talent"][0]["name"] in shown.text
    assert stack.call("GET", f"/api/v1/public/pages/{ready['partner']['slug']}").status_code == 200
    publish(stack, ready, on=False)
    assert stack.call("GET", page).status_code == 404


def test_a_new_logo_shows_at_once(stack):
    ready = publishable_page(stack)
    page = publish(stack, ready)
    before = stack.call("GET", page).text
    uploaded = upload(stack, ready["admin"]["token"], ready["partner"]["id"], "logo-light", "logo-viewbox-short.svg")
    assert uploaded.status_code == 200
    after = stack.call("GET", page).text
    assert uploaded.json()["url"] in after and uploaded.json()["url"] not in before
    logo = requests.get(uploaded.json()["url"].replace(stack.env.get("PORTAL_PUBLIC_URL", stack.url), stack.url),
                        timeout=5)
    assert logo.status_code == 200 and logo.headers["Content-Type"].startswith("image/svg+xml")


def test_an_expert_suspended_in_eligibility_vanishes_from_the_page_within_2_seconds(stack):
    ready = publishable_page(stack, experts=11)
    page = publish(stack, ready)
    expert = ready["talent"][0]
    assert expert["name"] in stack.call("GET", page).text
    put_talent(stack, {**expert, "account_status": "suspended", "updated_at": later(expert["updated_at"])})
    started = time.monotonic()
    wait_until(lambda: expert["name"] not in stack.call("GET", page).text, 2.0, 0.05,
               "the suspended expert to vanish")
    print(f"vanished after {time.monotonic() - started:.2f}s")


def test_public_pages_stay_up_while_catalog_and_assets_are_stopped_and_the_circuit_opens(stack):
    ready = publishable_page(stack)
    page = publish(stack, ready)
    use_cases = f"/api/v1/partners/{ready['partner']['id']}/use-cases"
    token = ready["admin"]["token"]
    stack.pause("catalog.web", "assets.web")
    try:
        for _ in range(5):
            assert stack.call("GET", page).status_code == 200
            started = time.monotonic()
            api = stack.call("GET", use_cases, token)
            assert api.status_code in (503, 504) and api.json()["code"] in ("service_unavailable", "gateway_timeout")
            assert time.monotonic() - started < 10          # never hangs past its timeout
        started = time.monotonic()
        opened = stack.call("GET", use_cases, token)          # the breaker is open now: 503 at once
        assert time.monotonic() - started < 1
        assert opened.status_code == 503 and opened.json()["code"] == "service_unavailable"
        assert int(opened.headers["Retry-After"]) >= 1
        assert stack.call("GET", page).status_code == 200
    finally:
        stack.resume("catalog.web", "assets.web")
    wait_until(lambda: stack.call("GET", use_cases, token).status_code == 200, 30, 0.5, "the circuit to close")


def test_the_gateway_publishes_one_openapi_document_and_readable_docs(stack):
    spec = stack.call("GET", "/openapi.json").json()
    for path in ("/api/v1/accounts", "/api/v1/sessions", "/internal/v1/partners", "/experts/{slug}"):
        assert path in spec["paths"], path
    docs = stack.call("GET", "/docs")
    assert docs.status_code == 200 and "/api/v1/sessions" in docs.text


def test_a_lost_read_model_is_rebuilt_from_catalog_on_a_miss_and_by_command(stack):
    import subprocess
    import sys

    from sqlalchemy import create_engine, text
    ready = publishable_page(stack)
    page = publish(stack, ready)
    url = stack.env.get("GATEWAY_DATABASE_URL") or f"sqlite:///{stack.work_dir / 'data' / 'gateway.sqlite3'}"
    engine = create_engine(url)

    def lose_read_model():
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM public_pages"))
            conn.execute(text("DELETE FROM public_assets"))
        time.sleep(1.1)  # past GATEWAY_REBUILD_SECONDS

    lose_read_model()
    assert stack.call("GET", page).status_code == 200   # rebuilt on the miss
    lose_read_model()
    rebuilt = subprocess.run([sys.executable, "-m", "gateway", "rebuild-read-model"], env=stack.env,
                             capture_output=True, text=True, timeout=60)
    assert rebuilt.returncode == 0 and "stored" in rebuilt.stdout
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM public_pages WHERE published")).scalar() >= 1
    engine.dispose()
