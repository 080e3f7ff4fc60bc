"""Guessing someone's password slows that account's sign-ins down (429 with Retry-After after
10 failures in 15 minutes), but the owner's right password from a client that signed in
before (its known_device cookie) still works, over the API and in the portal, through the
gateway; failures are counted in Redis on the production configuration."""
import pytest
import requests

from tests.support.portal import Browser

from .helpers import sign_up

pytestmark = pytest.mark.e2e


def test_ten_wrong_guesses_throttle_strangers_but_never_the_owners_known_devices(stack):
    owner = sign_up(stack, "Owner")
    credentials = {"email": owner["email"], "password": owner["password"]}
    script = requests.Session()  # the owner's script, keeping its cookies
    first = script.post(f"{stack.url}/api/v1/sessions", json=credentials, timeout=30)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("known_device=") and "HttpOnly" in cookie and "Secure" not in cookie  # plain http here
    laptop = Browser(stack)
    assert laptop.sign_in(owner).status_code == 303 and "known_device" in laptop.http.cookies
    laptop.get("/portal")  # a page with the sign-out form (a new session, a new CSRF token)
    assert laptop.post("/portal/signout").status_code == 303

    guesses = [stack.call("POST", "/api/v1/sessions", json={**credentials, "password": f"guess {i}"})
               for i in range(11)]
    assert [g.status_code for g in guesses] == [401] * 10 + [429]
    assert guesses[-1].json()["code"] == "rate_limited" and 0 < int(guesses[-1].headers["Retry-After"]) <= 900

    assert stack.call("POST", "/api/v1/sessions", json=credentials).status_code == 429  # a client never seen
    stranger = Browser(stack)
    refused = stranger.sign_in(owner)
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
    assert "known_device" not in stranger.http.cookies

    assert script.post(f"{stack.url}/api/v1/sessions", json=credentials, timeout=30).status_code == 200
    back = laptop.sign_in(owner)
    assert back.status_code == 303 and back.headers["Location"] == "/portal"
