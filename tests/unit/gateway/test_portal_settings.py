"""The portal's cookie and redirect rules, without a running suite."""
from types import SimpleNamespace

import pytest
from flask import Flask

from gateway.portal import install_portal
from gateway.portal.blueprint import safe_next
from gateway.portal.forms import FeatureForm, UseCaseForm, read


def _app(tmp_path, public_url: str) -> Flask:
    app = Flask("gateway")
    app.config["PORTAL"] = SimpleNamespace(public_url=public_url, data_dir=tmp_path)
    install_portal(app)
    return app


def test_cookies_are_secure_when_the_public_address_is_https(tmp_path):
    assert _app(tmp_path, "https://experts.example.com").config["SESSION_COOKIE_SECURE"] is True
    assert _app(tmp_path, "http://127.0.0.1:8080").config["SESSION_COOKIE_SECURE"] is False


def test_cookies_are_httponly_and_samesite_lax_and_the_key_is_shared_by_every_process(tmp_path):
    first, second = _app(tmp_path, "http://x"), _app(tmp_path, "http://x")
    assert first.config["SESSION_COOKIE_HTTPONLY"] is True
    assert first.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] and len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "evil", "", None, "http:/x"])
def test_only_paths_of_this_site_are_followed_after_sign_in(target):
    assert safe_next(target, "/portal") == "/portal"


def test_a_path_of_this_site_is_followed_after_sign_in():
    assert safe_next("/invitations/abc?x=1", "/portal") == "/invitations/abc?x=1"


def test_a_form_returns_its_values_or_its_errors_by_field():
    assert read(UseCaseForm, {"name": "  Email automation "}) == ({"name": "Email automation", "description": ""}, {})
    values, errors = read(UseCaseForm, {"name": "x" * 61})
    assert "name" in errors and values["name"] == "x" * 61
    assert "offering" in read(FeatureForm, {"offering": "project|a|b|c"})[1]
    assert read(FeatureForm, {"offering": "consultation|fl-1|c1"})[0] == {"offering": "consultation|fl-1|c1"}


def test_public_pages_and_the_api_never_open_a_cookie_session(tmp_path):
    from flask import session
    app = _app(tmp_path, "http://x")
    seen = {}

    @app.get("/experts/<slug>")
    def page(slug):
        seen["null"] = app.session_interface.is_null_session(session)
        return "page"

    @app.get("/portal/thing")
    def portal_thing():
        session["x"] = 1
        return "portal"

    client = app.test_client()
    answer = client.get("/experts/acme", headers={"Cookie": "portal_session=forged"})
    assert seen["null"] is True and "Set-Cookie" not in answer.headers
    assert "portal_session=" in client.get("/portal/thing").headers["Set-Cookie"]
