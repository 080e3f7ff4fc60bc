"""Journeys a partner's script walks through the gateway."""
from __future__ import annotations

import uuid

from tests.support.mail import Mailbox, verify_email
from tests.support.procs import wait_until


def sign_up(stack, name: str = "Ada") -> dict:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"
    created = stack.call("POST", "/api/v1/accounts", json={"email": email, "password": password, "name": name})
    assert created.status_code == 201, created.text
    session = stack.call("POST", "/api/v1/sessions", json={"email": email, "password": password})
    assert session.status_code == 200, session.text
    return {**created.json(), "password": password, "token": session.json()["access_token"]}


def verified(stack, account: dict) -> dict:
    """The account once its owner opened the verification link mailed to it (API.md, Changed
    rules): read from the SMTP server (production) or the .eml files (embedded)."""
    if not account.get("verified"):
        verify_email(stack.call, Mailbox.of_stack(stack), account["email"])
        account["verified"] = True
    return account


def new_partner(stack, admin: dict) -> dict:
    """A partner whose admin is ``admin``, granted by the operator (after ``admin`` verified)."""
    verified(stack, admin)
    slug = f"p-{uuid.uuid4().hex[:10]}"
    granted = stack.operator("POST", "/internal/v1/partners",
                             json={"name": f"Partner {slug}", "slug": slug, "admin_email": admin["email"]})
    assert granted.status_code == 201, granted.text
    return granted.json()


def eventually_ok(stack, path: str, token: str, timeout: float = 10):
    """Wait for the bus to carry a fact to the service answering ``path``."""
    return wait_until(lambda: (r := stack.call("GET", path, token)).ok and r, timeout, 0.05, path)


CORPUS = __import__("pathlib").Path(__file__).resolve().parents[1] / "corpus" / "assets"


def eligible_talent(count: int, seed: int = 1, **overrides) -> list[dict]:
    """Generated talent documents that meet the criteria (active, public, JSS >= 80)."""
    from services.eligibility.talentgen import generate_talent
    docs = []
    for doc in generate_talent(count * 4, seed=seed):
        if doc["account_status"] == "active" and doc["profile_visibility"] == "public" and doc["jss"] >= 85:
            docs.append({**doc, "freelancer_id": f"{doc['freelancer_id']}-{uuid.uuid4().hex[:6]}", **overrides})
        if len(docs) == count:
            return docs
    raise AssertionError("not enough eligible talent generated")


def put_talent(stack, doc: dict) -> dict:
    body = {k: v for k, v in doc.items() if k != "freelancer_id"}
    answer = stack.operator("PUT", f"/internal/v1/talent/{doc['freelancer_id']}", json=body)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def later(timestamp: str, seconds: int = 60) -> str:
    from datetime import datetime, timedelta
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


def upload(stack, token: str, pid: str, kind: str, filename: str):
    content_type = "image/svg+xml" if filename.endswith(".svg") else "image/png"
    return stack.call("PUT", f"/api/v1/partners/{pid}/assets/{kind}", token,
                      data=(CORPUS / filename).read_bytes(), headers={"Content-Type": content_type})


def publishable_page(stack, experts: int = 10) -> dict:
    """A partner whose page meets every requirement: experts approved and three assets."""
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    pid, token = partner["id"], admin["token"]
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", token)
    talent = eligible_talent(experts)
    for doc in talent:
        put_talent(stack, doc)
    use_case = stack.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": "Email Automation"})
    assert use_case.status_code == 201, use_case.text
    uid = use_case.json()["id"]
    ids = [doc["freelancer_id"] for doc in talent]
    wait_until(lambda: stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token,
                                  json={"freelancer_ids": ids}).status_code == 201, 15, 0.1,
               "the talent to reach catalog's index")
    for fid in ids:
        approved = stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{fid}/approve", token)
        assert approved.status_code == 200, approved.text
    for kind, filename in (("logo-light", "logo-24.svg"), ("logo-dark", "logo-24px.svg"),
                           ("branded-image", "ratio-4x3.png")):
        assert upload(stack, token, pid, kind, filename).status_code == 200
    wait_until(lambda: not stack.call("GET", f"/api/v1/partners/{pid}/page", token).json()["warnings"]
               and all(r["met"] for r in stack.call("GET", f"/api/v1/partners/{pid}/page", token)
                       .json()["requirements"].values()), 15, 0.1, "every requirement met")
    return {"admin": admin, "partner": partner, "use_case_id": uid, "talent": talent}
