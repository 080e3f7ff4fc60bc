"""A tenant-isolation matrix generated from the gateway's route table (its OpenAPI document):
every partner-scoped operation, called with another partner's ids by that partner's... no:
by a stranger admin and member, with no token, an expired, tampered or foreign-key token,
`alg: none`, and the operator token; members on admin-only routes. Leaks: 0."""
import re
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.e2e.helpers import eligible_talent, eventually_ok, new_partner, put_talent, sign_up, upload
from tests.support.mail import Mailbox
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
ADMIN_ONLY = {("POST", "/api/v1/partners/{pid}/invitations"), ("DELETE", "/api/v1/partners/{pid}/invitations/{invitation_id}"),
              ("POST", "/api/v1/partners/{pid}/invitations/{invitation_id}/resend"),
              ("DELETE", "/api/v1/partners/{pid}/members/{account_id}")}


def victim(stack) -> dict:
    """A partner with one of everything, so that every path parameter is a real id of theirs."""
    admin = sign_up(stack, "Victim")
    partner = new_partner(stack, admin)
    pid, token = partner["id"], admin["token"]
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", token)
    [doc] = eligible_talent(1, seed=99)
    doc["projects"] = doc["projects"] or [{"id": "pr-x", "title": "Setup", "price": 100, "delivery_days": 2}]
    put_talent(stack, doc)
    uid = stack.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": "Theirs"}).json()["id"]
    fid = doc["freelancer_id"]
    wait_until(lambda: stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token,
                                  json={"freelancer_ids": [fid]}).status_code == 201, 15, 0.1, "talent")
    stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{fid}/approve", token)
    oid = stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings", token, json={
        "kind": "project", "offering_id": doc["projects"][0]["id"], "freelancer_id": fid}).json()["id"]
    upload(stack, token, pid, "logo-light", "logo-24.svg")
    invitation = stack.call("POST", f"/api/v1/partners/{pid}/invitations", token,
                            json={"emails": [f"x-{uuid.uuid4().hex[:6]}@example.com"]}).json()["items"][0]["id"]
    return {"pid": pid, "uid": uid, "fid": fid, "id": oid, "oid": oid, "invitation_id": invitation,
            "account_id": admin["id"], "kind": "logo-light", "token": token}


def operations(stack) -> list[tuple[str, str]]:
    spec = stack.call("GET", "/openapi.json").json()
    found = [(method.upper(), path) for path, item in spec["paths"].items() if path.startswith("/api/v1/partners/{pid}")
             for method in item if method in ("get", "post", "put", "patch", "delete")]
    assert len(found) >= 20, found
    return found


def fill(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), ids.get(m.group(1).split("_")[0], "x")), path)


BODIES = {"/use-cases": {"name": "Mine now"}, "/use-cases/{uid}": {"name": "Mine now"},
          "/experts": {"freelancer_ids": ["x"]}, "/invitations": {"emails": ["a@example.com"]},
          "/offerings": {"kind": "project", "offering_id": "x", "freelancer_id": "x"},
          "/published": {"published": False}, "/page": {"headline": "Mine now"},
          "/experts:decide": {"approve": ["x"]}, "/members/{account_id}": {"role": "member"},
          "/api-keys": {"name": "Mine now"}, "/preview-links": {"expires_in_days": 1},
          "/webhooks": {"url": "https://example.com/hook", "events": ["page.published"]},
          "/webhooks/{wid}": {"description": "Mine now"}}


def body_for(template: str):
    """A valid body, so that only the tenant check can refuse the call."""
    return next((body for suffix, body in BODIES.items() if template.endswith(suffix)), None)


def bad_tokens(real: str) -> dict:
    header, payload, signature = real.split(".")
    now = int(time.time())
    claims = {"sub": "x", "iss": "portal-membership", "aud": "portal", "iat": now, "exp": now + 60}
    return {"none": None, "expired": jwt.encode({**claims, "exp": now - 10, "iat": now - 100},
                                                 Ed25519PrivateKey.generate(), algorithm="EdDSA"),
            "tampered": f"{header}.{payload[:-2]}AA.{signature}",
            "foreign key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "x"}),
            "alg none": jwt.encode(claims, None, algorithm="none")}


def test_no_partner_scoped_route_leaks_to_another_tenant_or_a_bad_token(stack):
    if stack.name != "embedded":
        pytest.skip("the matrix runs on one configuration in make test")
    theirs = victim(stack)
    stranger = sign_up(stack, "Stranger")
    mine = new_partner(stack, stranger)
    eventually_ok(stack, f"/api/v1/partners/{mine['id']}/page", stranger["token"])
    leaks = []
    for method, template in operations(stack):
        path = fill(template, theirs)
        body = body_for(template)
        answer = stack.call(method, path, stranger["token"], json=body)
        if answer.status_code != 404:
            leaks.append((method, template, "stranger", answer.status_code))
        for name, token in bad_tokens(stranger["token"]).items():
            answer = stack.call(method, path, token, json=body)
            if answer.status_code != 401:
                leaks.append((method, template, name, answer.status_code))
        if stack.call(method, path, stack.operator_token, json=body).status_code != 403:
            leaks.append((method, template, "operator", None))
    assert leaks == [], leaks
    still = stack.call("GET", f"/api/v1/partners/{theirs['pid']}/use-cases", theirs["token"]).json()["items"]
    assert [uc["name"] for uc in still] == ["Theirs"]


def test_a_member_is_refused_on_every_admin_only_route(stack):
    if stack.name != "embedded":
        pytest.skip("one configuration is enough")
    theirs = victim(stack)
    member = sign_up(stack, "Member")
    stack.call("POST", f"/api/v1/partners/{theirs['pid']}/invitations", theirs["token"], json={"emails": [member["email"]]})
    token = Mailbox.of_stack(stack).link(member["email"], "invitations")
    assert stack.call("POST", "/api/v1/invitations/accept", member["token"], json={"token": token}).status_code == 200
    for method, template in ADMIN_ONLY:
        answer = stack.call(method, fill(template, theirs), member["token"], json=body_for(template))
        assert (answer.status_code, answer.json()["code"]) == (403, "admin_only"), (method, template)
