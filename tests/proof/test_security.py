"""Proof under fire, security: on the production backends, nothing leaks, nothing unsafe is
stored or shown, nothing is accepted twice. Each test records its figures for
docs/security.md; PROOF_SCALE sets how hard it pushes."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.e2e.helpers import CORPUS, eligible_talent, eventually_ok, new_partner, publishable_page, put_talent, sign_up
from tests.e2e.test_gateway_public_pages import publish
from tests.e2e.test_membership_invitations import link_in_mail
from tests.e2e.test_tenant_isolation import ADMIN_ONLY, bad_tokens, body_for, fill, operations, victim
from tests.support.infra import free_port
from tests.support.inert import inert_problems
from tests.support.procs import ROOT, Proc, wait_http_ok, wait_until
from tests.unit.assets.corpus import EXPECTED

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def fuzz(url: str, token: str, examples: int, report: Path, *selection: str) -> dict:
    """One schemathesis run; its failures counted by kind from its JUnit report."""
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", url, "-H", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", str(examples),
         "--phases", "examples,fuzzing", "--seed", "2026", "--report", "junit", "--report-junit-path", str(report),
         "--workers", "2", *selection], capture_output=True, text=True, timeout=3600)
    cases = ET.parse(report).getroot().iter("testcase") if report.exists() else []
    found = {"operations": 0, "server errors": 0, "schema violations": 0, "other failures": 0}
    for case in cases:
        found["operations"] += 1
        for failure in [*case.iter("failure"), *case.iter("error")]:
            text = (failure.get("message") or "") + (failure.text or "")
            kind = ("server errors" if "Server error" in text else
                    "schema violations" if "schema" in text.lower() else "other failures")
            found[kind] += 1
    found["output"] = run.stdout[-3000:] + run.stderr[-1000:]
    return found


def test_schemathesis_finds_no_server_error_and_no_answer_outside_any_document(suite, scale, security, tmp_path):
    """schemathesis against every service's and the gateway's OpenAPI document, with valid tokens"""
    admin = sign_up(suite)
    eventually_ok(suite, f"/api/v1/partners/{new_partner(suite, admin)['id']}/page", admin["token"])
    totals = {"operations": 0, "server errors": 0, "schema violations": 0, "other failures": 0}
    outputs = []
    for part in ("gateway", "membership", "catalog", "eligibility", "assets"):
        url = f"{suite.url_of(part)}/openapi.json"
        runs = [fuzz(url, admin["token"], scale.fuzz_examples, tmp_path / f"{part}-member.xml",
                     "--exclude-path-regex", "^/internal/"),
                fuzz(url, suite.operator_token, scale.fuzz_examples, tmp_path / f"{part}-operator.xml",
                     "--include-path-regex", "^/internal/", "--exclude-path", "/internal/v1/talent/{freelancer_id}")
                if "/internal/" in requests.get(url, timeout=10).text else None]
        for found in filter(None, runs):
            outputs.append(found.pop("output"))
            for key in totals:
                totals[key] += found[key]
    security.add("operations fuzzed (documents: gateway and four services, member and service tokens)",
                 totals["operations"], note=f"{scale.fuzz_examples} examples each")
    security.add("5xx answers", totals["server errors"])
    security.add("answers that break the schema", totals["schema violations"])
    security.add("other failed checks", totals["other failures"])
    assert totals["operations"] >= 30, "\n".join(outputs)[-6000:]
    assert (totals["server errors"], totals["schema violations"], totals["other failures"]) == (0, 0, 0), \
        "\n".join(outputs)[-6000:]


def test_no_partner_scoped_route_leaks_to_another_tenant_or_a_bad_token(suite, security):
    """A tenant-isolation matrix generated from the route table"""
    theirs = victim(suite)
    stranger = sign_up(suite, "Stranger")
    mine = new_partner(suite, stranger)
    eventually_ok(suite, f"/api/v1/partners/{mine['id']}/page", stranger["token"])
    colleague = sign_up(suite, "Colleague")  # a member (not admin) of the stranger's partner
    suite.call("POST", f"/api/v1/partners/{mine['id']}/invitations", stranger["token"], json={"emails": [colleague["email"]]})
    token = link_in_mail(suite, colleague["email"])
    assert suite.call("POST", "/api/v1/invitations/accept", colleague["token"], json={"token": token}).status_code == 200
    callers = {"another partner's admin": (stranger["token"], 404), "another partner's member": (colleague["token"], 404),
               "the operator's service token": (suite.operator_token, 403),
               **{f"{name} token": (bad, 401) for name, bad in bad_tokens(stranger["token"]).items()}}
    calls, leaks = 0, []
    routes = operations(suite)
    for method, template in routes:
        path, body = fill(template, theirs), body_for(template)
        for who, (bearer, expected) in callers.items():
            answer = suite.call(method, path, bearer, json=body)
            calls += 1
            if answer.status_code != expected:
                leaks.append((method, template, who, answer.status_code))
    member = sign_up(suite, "Member")
    suite.call("POST", f"/api/v1/partners/{theirs['pid']}/invitations", theirs["token"], json={"emails": [member["email"]]})
    assert suite.call("POST", "/api/v1/invitations/accept", member["token"],
                      json={"token": link_in_mail(suite, member["email"])}).status_code == 200
    for method, template in ADMIN_ONLY:
        answer = suite.call(method, fill(template, theirs), member["token"], json=body_for(template))
        calls += 1
        if (answer.status_code, answer.json().get("code")) != (403, "admin_only"):
            leaks.append((method, template, "member on an admin-only route", answer.status_code))
    security.add("partner-scoped operations from the route table", len(routes))
    security.add("calls made", calls, note=", ".join(callers) + ", a member on every admin-only route")
    security.add("leaks", len(leaks), note=str(leaks[:5]))
    assert leaks == []


def test_no_file_of_the_upload_attack_corpus_is_stored_through_the_gateway(suite, security):
    """The upload attack corpus of the assets issue through the gateway"""
    admin = sign_up(suite)
    pid = new_partner(suite, admin)["id"]
    eventually_ok(suite, f"/api/v1/partners/{pid}/assets", admin["token"])
    refused = sorted(name for name, (_, code) in EXPECTED.items() if code)
    wrong = []
    for name in refused:
        kind, code = EXPECTED[name]
        answer = suite.call("PUT", f"/api/v1/partners/{pid}/assets/{kind}", admin["token"],
                            data=(CORPUS / name).read_bytes(), headers={"Content-Type": "application/octet-stream"})
        if answer.status_code < 400 or answer.json().get("code") != code:
            wrong.append((name, answer.status_code, answer.json().get("code")))
    listed = suite.call("GET", f"/api/v1/partners/{pid}/assets", admin["token"]).json()["items"]
    rows = suite.sql("assets", "SELECT count(*) FROM asset_versions WHERE partner_id = :p", p=pid)[0][0]
    security.add("attack files uploaded through the gateway", len(refused))
    security.add("stored", len(listed) + rows)
    security.add("answered with another code than expected", len(wrong), note=str(wrong[:5]))
    assert (len(listed), rows, wrong) == (0, 0, [])


def test_no_bad_invitation_token_is_accepted_and_none_is_stored_in_plaintext(suite, security):
    """Invitation tokens: reused, expired, revoked, guessed, another email's"""
    admin = sign_up(suite, "Admin")
    pid = new_partner(suite, admin)["id"]
    people = {case: sign_up(suite, case.split()[0].title()) for case in ("reused", "expired", "revoked", "guessed")}
    eve = sign_up(suite, "Eve")
    tokens, ids = {}, {}
    for case, person in people.items():
        sent = suite.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"], json={"emails": [person["email"]]})
        assert sent.status_code == 201, sent.text
        ids[case], tokens[case] = sent.json()["items"][0]["id"], link_in_mail(suite, person["email"])
    assert suite.call("POST", "/api/v1/invitations/accept", people["reused"]["token"],
                      json={"token": tokens["reused"]}).status_code == 200
    suite.sql("membership", "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = :i", i=ids["expired"])
    assert suite.call("DELETE", f"/api/v1/partners/{pid}/invitations/{ids['revoked']}", admin["token"]).status_code == 204
    attempts = {
        "reused": (people["reused"], tokens["reused"], 410), "expired": (people["expired"], tokens["expired"], 410),
        "revoked": (people["revoked"], tokens["revoked"], 410),
        "guessed": (people["guessed"], tokens["guessed"][:-4] + ("aaaa" if not tokens["guessed"].endswith("aaaa") else "bbbb"), 404),
        "another email's": (eve, tokens["guessed"], 403)}
    accepted, wrong = 0, []
    for case, (who, token, expected) in attempts.items():
        answer = suite.call("POST", "/api/v1/invitations/accept", who["token"], json={"token": token})
        accepted += answer.status_code == 200
        if answer.status_code != expected:
            wrong.append((case, answer.status_code, answer.text[:80]))
    members = suite.call("GET", f"/api/v1/partners/{pid}/members", admin["token"]).json()["items"]
    plaintext = plaintext_hits(suite, "membership", list(tokens.values()))
    security.add("bad tokens tried", len(attempts), note=", ".join(attempts))
    security.add("accepted", accepted)
    security.add("plaintext tokens in the database", len(plaintext), note=str(plaintext[:3]))
    assert accepted == 0 and wrong == [] and len(members) == 2 and plaintext == [], (wrong, plaintext)


def plaintext_hits(suite, part: str, secrets: list[str]) -> list[tuple]:
    """Every (table, column) of a part's database where one of the secrets appears as is."""
    columns = suite.sql(part, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                              "'public' AND data_type IN ('text', 'character varying')")
    hits = []
    for table, column in columns:
        for secret in secrets:
            if suite.sql(part, f'SELECT 1 FROM "{table}" WHERE "{column}" LIKE :s LIMIT 1', s=f"%{secret}%"):
                hits.append((table, column))
    assert columns, "no text column found: the scan proves nothing"
    return hits


def test_sign_in_rate_limits_hold_across_several_gunicorn_workers(suite, scale, security, tmp_path):
    """Rate limits hold across several gunicorn workers"""
    port = free_port()
    env = {**suite.env, "HOST": "127.0.0.1", "PORT": str(port), "GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "2",
           "MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT": f"{scale.rate_limit}/minute"}
    web = Proc("membership-3-workers", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                        "services.membership.wsgi:app"], env, tmp_path).start()
    try:
        wait_http_ok(f"http://127.0.0.1:{port}/readyz", 60)
        victim_email = f"victim-{uuid.uuid4().hex}@example.com"

        def attempt(_):
            with requests.Session() as fresh:  # a new connection each time, so every worker takes some
                return fresh.post(f"http://127.0.0.1:{port}/api/v1/sessions", timeout=30,
                                  json={"email": victim_email, "password": "guess"}).status_code
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(attempt, range(scale.rate_attempts)))
        pids = set(re.findall(r"Booting worker with pid: (\d+)", web.log()))
    finally:
        web.stop()
    through = sum(a != 429 for a in answers)
    security.add("sign-in attempts on one account", len(answers), note=f"3 gunicorn workers, limit {scale.rate_limit}/minute")
    security.add("attempts let through", through)
    security.add("attempts over the limit let through", max(0, through - scale.rate_limit))
    assert len(pids) >= 3 and through == scale.rate_limit and set(answers) <= {401, 429}, (answers, pids)


INJECTED = ["<script>alert('use-case')</script>", "<img src=x onerror=alert('talent')>",
            "<b onmouseover=alert('title')>offer</b>", "</h1><script>alert('consult')</script>",
            "\"><svg onload=alert('skill')>"]


def injected_page(suite) -> dict:
    """A published page whose user-typed text is all markup: use case name and description,
    talent name, title and skill, project and consultation titles."""
    ready = publishable_page(suite)
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    [doc] = eligible_talent(1, seed=31, name=INJECTED[1], title=INJECTED[2], skills=[INJECTED[4]],
                            projects=[{"id": "pr-inj", "title": INJECTED[2], "price": 500, "delivery_days": 3}],
                            consultations=[{"id": "co-inj", "title": INJECTED[3], "duration_minutes": 30,
                                            "price": 90}])
    put_talent(suite, doc)
    uid = suite.call("POST", f"/api/v1/partners/{pid}/use-cases", token,
                     json={"name": INJECTED[0][:60], "description": INJECTED[3]}).json()["id"]
    fid = doc["freelancer_id"]
    base = f"/api/v1/partners/{pid}/use-cases/{uid}"
    wait_until(lambda: suite.call("POST", f"{base}/experts", token, json={"freelancer_ids": [fid]}).status_code == 201,
               30, 0.2, "the talent in catalog")
    assert suite.call("POST", f"{base}/experts/{fid}/approve", token).status_code == 200
    for kind, oid in (("project", "pr-inj"), ("consultation", "co-inj")):
        featured = suite.call("POST", f"{base}/offerings", token, json={"kind": kind, "offering_id": oid, "freelancer_id": fid})
        assert featured.status_code == 201, featured.text
    return {"path": publish(suite, ready), "injected": INJECTED}


def test_html_pages_carry_the_csp_no_inline_script_and_show_user_text_inert(suite, security):
    """The HTML pages carry the CSP and no inline script; user-provided text is rendered inert"""
    page = injected_page(suite)
    pages = [(page["path"], page["injected"]), ("/experts/no-such-page", []), ("/docs", [])]
    problems = {}
    wait_until(lambda: "&lt;/h1&gt;" in suite.call("GET", page["path"]).text, 30, 0.2, "the injected page")
    for path, injected in pages:
        answer = suite.call("GET", path)
        found = inert_problems(answer.text, injected, answer.headers)
        if found:
            problems[path] = found
    security.add("HTML pages checked", len(pages), note=", ".join(p for p, _ in pages))
    security.add("strings with HTML and script injected into user text", len(INJECTED))
    security.add("pages with a weak CSP, inline script or live injected markup", len(problems), note=json.dumps(problems)[:300])
    assert problems == {}, problems


# known vulnerabilities that do not apply to this suite, with the reason (shown in docs/security.md)
EXPLAINED: dict[str, str] = {}


def test_the_dependency_audit_leaves_no_known_vulnerability_unexplained(security):
    """A dependency audit (pip-audit) with no known vulnerability left unexplained"""
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        report = None
    if report is None:
        security.add("packages audited", 0, note=f"pip-audit could not reach its vulnerability service: {run.stderr[-200:]}")
        pytest.skip(f"the vulnerability service is unreachable: {run.stderr.strip().splitlines()[-1:]}")
    deps = report["dependencies"]
    skipped = [d["name"] for d in deps if "skip_reason" in d]
    audited = len(deps) - len(skipped)
    vulns = [(d["name"], d["version"], v["id"]) for d in deps for v in d.get("vulns", [])]
    unexplained = [v for v in vulns if v[2] not in EXPLAINED]
    security.add("packages installed", len(deps))
    security.add("packages audited", audited, note=f"{len(skipped)} not found by the vulnerability service" if skipped else "")
    security.add("known vulnerabilities", len(vulns), note=str(vulns[:10]))
    security.add("known vulnerabilities left unexplained", len(unexplained))
    if audited == 0:
        pytest.skip(f"the vulnerability service answered for none of the {len(deps)} packages (offline?)")
    assert unexplained == [], unexplained
