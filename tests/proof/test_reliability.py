"""Proof under fire, reliability: on PostgreSQL and RabbitMQ, with a fault proxy on every road
to them, nothing is lost, nothing is applied twice, and nothing hangs. Each test records its
figures for docs/reliability.md; PROOF_SCALE sets how hard it pushes."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from deploy.processes import PARTS
from tests.e2e.helpers import eligible_talent, later, new_partner, publishable_page, put_talent, sign_up, upload
from tests.e2e.test_gateway_public_pages import publish
from tests.e2e.test_membership_invitations import link_in_mail
from tests.support.figures import Stopwatch
from tests.support.procs import ROOT, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
NDJSON = {"Content-Type": "application/x-ndjson"}
WORKERS = [f"{part}.{process}" for part, processes in PARTS.items() for process in processes
           if process in ("consumer", "relay")]


def settled(suite, bindings, timeout: float) -> tuple[dict, float]:
    """Wait until every outbox row is published and every consumer handled every event meant
    for it; the last count and the seconds it took (the count is what was lost at the end)."""
    clock = Stopwatch()
    found = {}

    def done():
        found.update(suite.delivery(bindings))
        return found["unpublished"] == 0 and found["lost"] == 0
    try:
        wait_until(done, timeout, 0.5, "every event published and handled")
    except AssertionError:
        pass
    return found, clock.seconds()


def public_page(suite, slug: str) -> dict:
    answer = suite.call("GET", f"/api/v1/public/pages/{slug}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def shown(page: dict) -> dict:
    """freelancer name -> title as the public page shows them."""
    return {e["name"]: e["title"] for uc in page["use_cases"] for e in uc["experts"]}


def join(suite, pid: str, admin_token: str) -> dict:
    """A coworker invited and joined (membership's events reach catalog, eligibility, assets)."""
    coworker = sign_up(suite, "Coworker")
    sent = suite.call("POST", f"/api/v1/partners/{pid}/invitations", admin_token, json={"emails": [coworker["email"]]})
    assert sent.status_code == 201, sent.text
    token = link_in_mail(suite, coworker["email"])
    accepted = wait_until(lambda: (r := suite.call("POST", "/api/v1/invitations/accept", coworker["token"],
                                                  json={"token": token})).status_code != 503 and r, 30, 0.5, "accept")
    assert accepted.status_code == 200, accepted.text
    return coworker


def test_the_fault_proxy_sits_between_every_process_and_the_broker_and_each_part_and_its_database(
        suite, reliability):
    """A TCP fault proxy between every process and RabbitMQ, and between each part and PostgreSQL"""
    consumers = [w for w in WORKERS if w.endswith(".consumer")]
    wait_until(lambda: suite.broker.open_connections >= len(consumers), 30, 0.2, "every consumer connected")
    reliability.add("broker connections open through the proxy", suite.broker.open_connections,
                    note=f"{suite.broker.accepted} made so far; each consumer holds one, relays connect to publish")
    refused = {}
    for part, proxy in [("every part (broker)", suite.broker), *suite.databases.items()]:
        parts = list(PARTS) if proxy is suite.broker else [part]
        proxy.down()
        try:
            refused[part] = wait_until(lambda: all(requests.get(suite.ready_url(p), timeout=5).status_code
                                                   == 503 for p in parts), 15, 0.2, f"{part} not ready")
        finally:
            proxy.up()
        wait_until(lambda: all(requests.get(suite.ready_url(p), timeout=5).ok for p in parts), 30, 0.2,
                   f"{part} ready again")
    reliability.add("parts not ready while their proxy refuses (then ready again)", len(refused), note=", ".join(refused))
    dead = [name for name in WORKERS if not suite.procs[name].alive()]
    reliability.add("consumers and relays that died of it", len(dead), note=", ".join(dead))
    assert len(refused) == 1 + len(PARTS) and dead == []
    admin = sign_up(suite)  # and the bus still carries facts from part to part
    partner = new_partner(suite, admin)
    wait_until(lambda: suite.call("GET", f"/api/v1/partners/{partner['id']}/page", admin["token"]).ok, 30, 0.2,
               "membership's event to reach catalog")


def test_the_partner_journey_loses_nothing_while_the_broker_connections_are_cut_every_few_seconds(
        suite, bindings, scale, reliability):
    """The full partner journey while the proxy cuts the broker connections every few seconds"""
    cuts, stop = [], threading.Event()

    def cutter():
        while not stop.wait(scale.cut_every_seconds):
            suite.broker.cut()
            cuts.append(time.monotonic())
    threading.Thread(target=cutter, daemon=True).start()
    try:
        ready = publishable_page(suite, experts=11)
        pid, token, uid = ready["partner"]["id"], ready["admin"]["token"], ready["use_case_id"]
        join(suite, pid, token)
        slug = ready["partner"]["slug"]
        publish(suite, ready)
        renamed, declined = ready["talent"][0], ready["talent"][1]
        renamed = {**renamed, "title": "Renamed under fire", "updated_at": later(renamed["updated_at"])}
        put_talent(suite, renamed)
        assert suite.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{declined['freelancer_id']}"
                                  "/decline", token).status_code == 200
        logo = upload(suite, token, pid, "logo-light", "logo-viewbox-short.svg")
        assert logo.status_code == 200, logo.text
        version = 1
        while len(cuts) < scale.journey_cuts:  # a quick journey goes on updating until cut often enough
            version += 1
            renamed = {**renamed, "title": f"Renamed under fire {version}",
                       "updated_at": later(renamed["updated_at"])}
            put_talent(suite, renamed)
            time.sleep(0.2)
    finally:
        stop.set()
    found, seconds = settled(suite, bindings, 120)
    expected = {d["name"]: d["title"] for d in ready["talent"] if d is not declined}
    expected[renamed["name"]] = renamed["title"]
    page = wait_until(lambda: (p := public_page(suite, slug)) and shown(p) == expected
                      and p["assets"]["logo_light"]["url"] == logo.json()["url"] and p, 30, 0.5, "the page to be right")
    twice = suite.twice()
    reliability.add("connection cuts during the journey", len(cuts), note=f"one every {scale.cut_every_seconds} s")
    reliability.add("events published in the suite so far", found["events"])
    reliability.add("events lost", found["lost"], note=json.dumps(found["missing"]))
    reliability.add("effects applied twice", twice)
    reliability.add("seconds to settle after the journey", seconds, "s")
    reliability.add("public page correct at the end", bool(page))
    assert found["lost"] == 0 and found["unpublished"] == 0 and twice == 0, found
    assert len(cuts) >= scale.journey_cuts


def test_each_consumer_and_relay_killed_in_turn_during_talent_updates_loses_nothing(
        suite, bindings, scale, reliability):
    """`kill -9` of each consumer and relay in turn during talent updates"""
    ready = publishable_page(suite)
    pid, token, uid = ready["partner"]["id"], ready["admin"]["token"], ready["use_case_id"]
    slug = publish(suite, ready).rsplit("/", 1)[1]
    pool = ready["talent"] + eligible_talent(max(1, scale.talent_updates // 20), seed=7)
    rounds = len(WORKERS)
    per_round = scale.talent_updates // rounds
    sent, latest, kills = 0, {}, []
    for number, process in enumerate(WORKERS):
        suite.kill(process)
        kills.append(process)
        lines = []
        for i in range(per_round if number < rounds - 1 else scale.talent_updates - sent):
            doc = pool[(sent + i) % len(pool)]
            version = (sent + i) // len(pool) + 1
            latest[doc["freelancer_id"]] = {**doc, "title": f"{doc['title'][:40]} v{version}",
                                            "updated_at": later(doc["updated_at"], version)}
            lines.append(json.dumps(latest[doc["freelancer_id"]]))
        answer = suite.operator("POST", "/internal/v1/talent:bulk", data="\n".join(lines).encode(), headers=NDJSON)
        assert answer.status_code == 200 and answer.json()["accepted"] == len(lines), answer.text
        sent += len(lines)
        if process.startswith("membership") or process.startswith("assets"):
            join(suite, pid, token)  # membership's and assets' processes get work of their own
            assert upload(suite, token, pid, "logo-dark", ("logo-24px.svg", "logo-24.svg")[number % 2]).status_code == 200
        fid = ready["talent"][number % len(ready["talent"])]["freelancer_id"]
        for decision in ("decline", "approve"):  # catalog's events for eligibility's consumer
            assert suite.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{fid}/{decision}",
                              token).status_code == 200
        suite.start_process(process)
    clock = Stopwatch()
    found, _ = settled(suite, bindings, 300 if scale.name == "full" else 120)
    titles = {fid: doc["title"] for fid, doc in latest.items()}

    def stale_index():
        rows = suite.sql("catalog", "SELECT freelancer_id, title FROM talent_profiles WHERE freelancer_id IN :ids"
                         .replace(":ids", str(tuple(titles))))
        return sum(titles[fid] != title for fid, title in rows) + len(titles) - len(rows)
    expected = {latest[d["freelancer_id"]]["name"]: latest[d["freelancer_id"]]["title"] for d in ready["talent"]}
    try:
        wait_until(lambda: stale_index() == 0 and shown(public_page(suite, slug)) == expected, 60, 0.5, "converged")
    except AssertionError:
        pass
    converged = clock.seconds()
    stale, twice = stale_index(), suite.twice()
    reliability.add("talent updates", sent, note=f"{rounds} rounds, one process killed with SIGKILL per round: "
                                                 + ", ".join(kills))
    reliability.add("events lost", found["lost"], note=json.dumps(found["missing"]))
    reliability.add("effects applied twice", twice)
    reliability.add("search index rows not at their latest version", stale)
    reliability.add("time to converge after the last update", converged, "s")
    assert (found["lost"], found["unpublished"], twice, stale) == (0, 0, 0, 0), f"{found}\n{suite.diagnosis()}"
    assert shown(public_page(suite, slug)) == expected


def test_writes_succeed_while_the_broker_is_unreachable_and_the_backlog_drains_after(
        suite, bindings, scale, reliability):
    """The broker unreachable during writes"""
    admin = sign_up(suite)
    partner = new_partner(suite, admin)
    wait_until(lambda: suite.call("GET", f"/api/v1/partners/{partner['id']}/page", admin["token"]).ok, 30, 0.2,
               "the partner's page")
    settled(suite, bindings, 60)
    docs = eligible_talent(50, seed=11)
    writes, errors = 0, []
    suite.broker.down()
    clock = Stopwatch()
    try:
        while clock.seconds() < scale.broker_down_seconds:
            doc = docs[writes % len(docs)]
            answers = [suite.operator("PUT", f"/internal/v1/talent/{doc['freelancer_id']}", json={
                           **{k: v for k, v in doc.items() if k != "freelancer_id"},
                           "title": f"{doc['title'][:40]} w{writes}",  # a change: it has an event to publish
                           "updated_at": later(doc["updated_at"], writes + 1)}),
                       suite.call("POST", f"/api/v1/partners/{partner['id']}/use-cases", admin["token"],
                                  json={"name": f"Written while down {writes}"})]
            errors += [a.status_code for a in answers if a.status_code >= 300]
            writes += len(answers)
    finally:
        backlog = suite.delivery(bindings)["unpublished"]
        suite.broker.up()
    found, drained = settled(suite, bindings, 300)
    reliability.add("broker unreachable for", scale.broker_down_seconds, "s", note="the proxy refuses every connection")
    reliability.add("writes while unreachable", writes)
    reliability.add("write errors", len(errors), note=str(sorted(set(errors))))
    reliability.add("outbox backlog when the broker returned", backlog)
    reliability.add("seconds to drain the backlog after it returned", drained, "s")
    reliability.add("events lost", found["lost"])
    assert errors == [] and backlog > 0 and (found["lost"], found["unpublished"]) == (0, 0), found


PORTAL_CALL = {"catalog": "/api/v1/partners/{pid}/use-cases", "assets": "/api/v1/partners/{pid}/assets",
               "membership": "/api/v1/partners/{pid}/members"}


def test_public_pages_stay_up_and_portal_calls_answer_503_while_each_service_is_stopped(suite, scale, reliability):
    """Catalog, assets and membership stopped in turn"""
    ready = publishable_page(suite)
    page, token, pid = publish(suite, ready), ready["admin"]["token"], ready["partner"]["id"]
    public_failures, bad_answers, slowest, calls = [], [], 0.0, 0
    for part in PORTAL_CALL:
        suite.procs[f"{part}.web"].stop()
        try:
            clock = Stopwatch()
            while clock.seconds() < scale.outage_seconds:
                answer = suite.call("GET", page)
                if answer.status_code != 200:
                    public_failures.append((part, answer.status_code))
                started = time.monotonic()
                answer = suite.call("GET", PORTAL_CALL[part].format(pid=pid), token)
                slowest = max(slowest, time.monotonic() - started)
                calls += 1
                if (answer.status_code, answer.headers.get("Content-Type")) != (503, "application/problem+json") \
                        or answer.json()["code"] != "service_unavailable":
                    bad_answers.append((part, answer.status_code, answer.text[:100]))
                time.sleep(0.1)
        finally:
            suite.start_process(f"{part}.web")
    for part in PORTAL_CALL:
        wait_until(lambda: suite.call("GET", PORTAL_CALL[part].format(pid=pid), token).ok, 60, 0.5, f"{part} back")
    reliability.add("portal calls while a service was stopped", calls,
                    note=f"catalog, assets, membership stopped {scale.outage_seconds} s each")
    reliability.add("public page answers other than 200", len(public_failures))
    reliability.add("portal answers other than 503 problem+json", len(bad_answers), note=str(bad_answers[:3]))
    reliability.add("slowest portal answer", round(slowest, 3), "s")
    assert public_failures == [] and bad_answers == [] and slowest < 2


def test_a_database_stall_times_out_cleanly_and_leaves_no_worker_stuck(suite, scale, reliability):
    """A database stall"""
    ready = publishable_page(suite)
    page, token, pid = publish(suite, ready), ready["admin"]["token"], ready["partner"]["id"]
    calls = [("GET", page)] + [("GET", call.format(pid=pid)) for call in PORTAL_CALL.values()]
    answers, stop = [], threading.Event()

    def caller(method, path):
        while not stop.is_set():
            started = time.monotonic()
            try:
                answer = suite.call(method, path, token)
                answers.append((path, answer.status_code, answer.headers.get("Content-Type", ""),
                                time.monotonic() - started))
            except requests.RequestException as exc:
                answers.append((path, type(exc).__name__, "", time.monotonic() - started))
    for proxy in suite.databases.values():
        proxy.stall()
    threads = [threading.Thread(target=caller, args=call, daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    time.sleep(scale.db_stall_seconds)
    for proxy in suite.databases.values():
        proxy.stall(False)
    stop.set()
    for thread in threads:
        thread.join(60)
    clock = Stopwatch()

    def all_answer_at_once():
        with ThreadPoolExecutor(16) as pool:  # more at once than a web process has threads
            results = list(pool.map(lambda c: suite.call(*c, token), calls * 4))
        return all(r.status_code == 200 for r in results)
    wait_until(all_answer_at_once, 60, 0.5, "every part answering after the stall")
    recovered = clock.seconds()
    unclean = [a for a in answers if not (a[1] == 200 or (a[1] in (503, 504) and a[2] == "application/problem+json"))]
    slowest = max(a[3] for a in answers)
    reliability.add("database stall", scale.db_stall_seconds, "s", note="every part's PostgreSQL connections stalled")
    reliability.add("answers during the stall", len(answers),
                    note=json.dumps({str(s): sum(a[1] == s for a in answers) for s in {a[1] for a in answers}}))
    reliability.add("answers neither 200 nor a 503/504 problem", len(unclean), note=str(unclean[:3]))
    reliability.add("slowest answer during the stall", round(slowest, 2), "s")
    reliability.add("seconds until every part answers again", recovered, "s")
    assert unclean == [] and recovered < 30 and slowest < scale.db_stall_seconds + 12  # never hangs past the stall


def test_the_sweep_repairs_a_verdict_whose_event_was_dropped(suite, reliability):
    """The sweep repairs a verdict whose event was deliberately dropped"""
    admin = sign_up(suite)
    partner = new_partner(suite, admin)
    pid, token = partner["id"], admin["token"]
    wait_until(lambda: suite.call("GET", f"/api/v1/partners/{pid}/page", token).ok, 30, 0.2, "the page")
    [expert] = eligible_talent(1, seed=23)
    fid = expert["freelancer_id"]
    put_talent(suite, expert)
    uid = suite.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": "Sweep"}).json()["id"]
    wait_until(lambda: suite.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token,
                                  json={"freelancer_ids": [fid]}).status_code == 201, 30, 0.2, "talent in catalog")
    assert suite.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{fid}/approve", token).status_code == 200
    wait_until(lambda: suite.sql("eligibility", "SELECT 1 FROM watched_pairs WHERE freelancer_id = :f", f=fid), 30, 0.2,
               "eligibility to watch the pair")
    suite.procs["eligibility.relay"].stop()
    try:
        put_talent(suite, {**expert, "account_status": "suspended", "updated_at": later(expert["updated_at"])})
        dropped = suite.sql("eligibility", "DELETE FROM outbox WHERE published_at IS NULL AND event_type = "
                                           "'eligibility.verdict.changed' AND body LIKE :f RETURNING event_id",
                            f=f"%{fid}%")
    finally:
        suite.start_process("eligibility.relay")

    def status():
        items = suite.call("GET", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token).json()["items"]
        return {e["freelancer_id"]: (e["status"], e["reasons"]) for e in items}[fid]
    time.sleep(2)
    still = status()
    clock = Stopwatch()
    swept = subprocess.run([sys.executable, "-m", "services.eligibility", "sweep"], env=suite.env, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert swept.returncode == 0, swept.stderr
    repaired = wait_until(lambda: status()[0] == "removed" and status(), 30, 0.2, "the expert removed")
    seconds = clock.seconds()
    reliability.add("verdict events dropped", len(dropped))
    reliability.add("expert still approved before the sweep", still[0] == "approved")
    reliability.add("verdicts repaired by one sweep", int(repaired == ("removed", ["account_suspended"])))
    reliability.add("seconds from the sweep to the expert's removal", seconds, "s")
    assert len(dropped) == 1 and still[0] == "approved" and repaired == ("removed", ["account_suspended"])
