"""Who may upload and read a partner's brand assets."""
from __future__ import annotations

import pytest

from services.common.members import MEMBER_JOINED, MEMBER_REMOVED
from tests.unit.assets.corpus import read

pytestmark = pytest.mark.integration

PID = "partner-a"


def test_an_upload_without_a_member_token_is_unauthorized(assets):
    answer = assets.client.put(f"/api/v1/partners/{PID}/assets/logo-light", data=read("logo-24.svg"))
    assert (answer.status_code, answer.get_json()["code"]) == (401, "unauthorized")
    bad = assets.client.put(f"/api/v1/partners/{PID}/assets/logo-light", data=read("logo-24.svg"),
                            headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    operator = assets.client.put(f"/api/v1/partners/{PID}/assets/logo-light", data=read("logo-24.svg"),
                                 headers={"Authorization": "Bearer op"})
    assert (operator.status_code, operator.get_json()["code"]) == (403, "forbidden")
    assert assets.versions() == 0


def test_another_partners_assets_are_not_found(assets):
    assets.membership_event(MEMBER_JOINED, "partner-b", "bob")
    assert assets.put(PID, "logo-light", read("logo-24.svg")).status_code == 200
    for answer in (assets.put(PID, "logo-dark", read("logo-24.svg"), account="bob"),
                   assets.get(f"/api/v1/partners/{PID}/assets", account="bob"),
                   assets.get(f"/api/v1/partners/{PID}/assets/logo-light/versions", account="bob"),
                   assets.put("no-such-partner", "logo-dark", read("logo-24.svg"))):
        assert (answer.status_code, answer.get_json()["code"]) == (404, "not_found")
    assert assets.get("/api/v1/partners/partner-b/assets", account="bob").get_json()["items"] == []
    assert assets.versions() == 1


def test_a_removed_member_can_no_longer_upload(assets):
    assets.membership_event(MEMBER_REMOVED, PID, "ada")
    answer = assets.put(PID, "logo-light", read("logo-24.svg"))
    assert answer.status_code == 404 and assets.versions() == 0


def test_an_unknown_kind_is_not_found(assets):
    for answer in (assets.put(PID, "favicon", read("logo-24.svg")),
                   assets.get(f"/api/v1/partners/{PID}/assets/favicon/versions")):
        assert (answer.status_code, answer.get_json()["code"]) == (404, "unknown_kind")


def test_readiness_covers_the_storage(assets):
    checks = assets.client.get("/readyz").get_json()["checks"]
    assert checks["storage"] == "ok" and checks["database"] == "ok"


def test_the_openapi_document_describes_every_route(assets):
    paths = assets.client.get("/openapi.json").get_json()["paths"]
    assert {"/api/v1/partners/{pid}/assets/{kind}", "/api/v1/partners/{pid}/assets",
            "/api/v1/partners/{pid}/assets/{kind}/versions", "/assets/{partner_id}/{name}"} <= set(paths)
    assert paths["/assets/{partner_id}/{name}"]["get"]["security"] == []
