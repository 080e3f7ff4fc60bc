"""The talent directory and the rules that keep pages honest, through the internal API."""
from __future__ import annotations

import json
import threading
import time

import pytest

from services.catalog import events as catalog
from services.common.bus import Envelope
from services.eligibility.consumer import make_consumer
from tests.integration.eligibility.conftest import OPERATOR

pytestmark = pytest.mark.integration
PARTNER, OTHER = "partner-1", "partner-2"


def talent(**changes) -> dict:
    doc = {"name": "Ada Lovelace", "title": "Automation engineer", "skills": ["Python", "Zapier"],
           "hourly_rate": 95.5, "country": "GB", "jss": 92, "badges": ["top_rated"],
           "account_status": "active", "profile_visibility": "public", "referred_by_partner_id": None,
           "projects": [{"id": "pr-1", "title": "Setup", "price": 500, "delivery_days": 3}],
           "consultations": [{"id": "co-1", "title": "Review", "duration_minutes": 60, "price": 120}],
           "updated_at": "2026-01-01T00:00:00Z"}
    return {**doc, **changes}


def put(client, fid, doc):
    return client.put(f"/internal/v1/talent/{fid}", json=doc, headers=OPERATOR)


DECISIONS = {"approved": catalog.EXPERT_APPROVED, "declined": catalog.EXPERT_DECLINED,
             "removed": catalog.EXPERT_REMOVED}


def decision(event: str, fid: str, partner=PARTNER, approved_anywhere=True) -> Envelope:
    """A catalog decision, built with catalog's own event schema."""
    return Envelope.new(DECISIONS[event], {
        "partner_id": partner, "use_case_id": "uc-1", "freelancer_id": fid, "decided_by": "account-1",
        "decided_at": "2026-01-01T00:00:00Z", "approved_anywhere": approved_anywhere})


def catalog_says(app, event: str, fid: str, partner=PARTNER, approved_anywhere=True):
    """Hand the decision straight to eligibility's consumer (the bus itself is tested below)."""
    consumer = make_consumer(app.config["RUNTIME"])
    envelope = decision(event, fid, partner, approved_anywhere)
    consumer._apply(consumer.handlers[envelope.event_type], envelope)


def published(app, event_type: str) -> list[dict]:
    return [json.loads(m.body)["payload"] for m in _drain(app) if json.loads(m.body)["event_type"] == event_type]


def _drain(app):
    runtime = app.config["RUNTIME"]
    runtime.relay().relay_once()
    seen, stop = [], threading.Event()

    def take(delivery):
        seen.append(delivery.message)
        delivery.ack()

    threading.Timer(0.5, stop.set).start()
    runtime.bus.consume("observer", take, stop)
    return seen


def verdicts(client, **query):
    return client.get("/internal/v1/verdicts", query_string=query, headers=OPERATOR).get_json()["items"]


@pytest.mark.parametrize("changes,eligible,reasons", [
    ({"jss": 80}, True, []),
    ({"jss": 79}, False, ["jss_below_threshold"]),
    ({"jss": 0}, False, ["jss_below_threshold"]),
    ({"jss": 0, "referred_by_partner_id": PARTNER}, True, []),
    ({"jss": 0, "referred_by_partner_id": OTHER}, False, ["jss_below_threshold"]),
    ({"account_status": "suspended"}, False, ["account_suspended"]),
    ({"profile_visibility": "private"}, False, ["profile_private"]),
    ({"account_status": "suspended", "jss": 10, "profile_visibility": "private"}, False,
     ["account_suspended", "jss_below_threshold", "profile_private"]),
])
def test_each_rule_and_its_boundary_decides_the_verdict_for_a_watched_pair(app, client, changes, eligible, reasons):
    assert put(client, "fl-1", talent()).status_code == 201
    catalog_says(app, "approved", "fl-1")
    answer = put(client, "fl-1", talent(updated_at="2026-02-01T00:00:00Z", **changes))
    assert answer.status_code == 200 and answer.get_json()["stale"] is False
    [verdict] = verdicts(client, partner_id=PARTNER)
    assert (verdict["eligible"], verdict["reasons"]) == (eligible, reasons)


def test_a_suspension_publishes_a_verdict_change_and_reinstatement_publishes_another(app, client):
    put(client, "fl-1", talent())
    catalog_says(app, "approved", "fl-1")
    put(client, "fl-1", talent(account_status="suspended", updated_at="2026-02-01T00:00:00Z"))
    put(client, "fl-1", talent(updated_at="2026-03-01T00:00:00Z"))
    changes = published(app, "eligibility.verdict.changed")
    assert [(c["eligible"], c["reasons"]) for c in changes] == [(False, ["account_suspended"]), (True, [])]
    assert changes[0]["rules"] == [{"rule": "account_suspended", "before": {"account_status": "active"},
                                    "after": {"account_status": "suspended"}}]
    history = client.get("/internal/v1/verdicts/history", query_string={"freelancer_id": "fl-1"},
                         headers=OPERATOR).get_json()["items"]
    assert [h["eligible"] for h in history] == [True, False]
    assert history[1]["rules"][0]["rule"] == "account_suspended" and history[1]["changed_at"]


def test_history_is_kept_per_partner(app, client):
    put(client, "fl-1", talent(jss=0, referred_by_partner_id=PARTNER))
    catalog_says(app, "approved", "fl-1")
    catalog_says(app, "approved", "fl-1", partner=OTHER)
    put(client, "fl-1", talent(jss=0, referred_by_partner_id=OTHER, updated_at="2026-02-01T00:00:00Z"))

    def history(partner):
        return client.get("/internal/v1/verdicts/history", query_string={"partner_id": partner},
                          headers=OPERATOR).get_json()["items"]
    assert [(h["eligible"], h["reasons"]) for h in history(PARTNER)] == [(False, ["jss_below_threshold"])]
    assert [h["eligible"] for h in history(OTHER)] == [True, False]


def test_every_accepted_change_publishes_the_searchable_profile(app, client):
    put(client, "fl-1", talent(jss=0, referred_by_partner_id=PARTNER))
    put(client, "fl-1", talent(jss=0, referred_by_partner_id=PARTNER))  # repeated: stale
    [profile] = published(app, "eligibility.profile.updated")
    assert profile["eligible"] is False and profile["ineligible_reasons"] == ["jss_below_threshold"]
    assert profile["eligible_for_partners"] == [PARTNER]
    assert profile["hourly_rate"] == 95.5 and profile["projects"][0]["id"] == "pr-1"


def test_a_newer_version_that_changes_only_its_time_publishes_no_profile(app, client):
    put(client, "fl-1", talent())
    catalog_says(app, "approved", "fl-1")
    published(app, "eligibility.profile.updated")
    again = put(client, "fl-1", talent(updated_at="2026-02-01T00:00:00Z"))
    assert again.status_code == 200 and again.get_json()["stale"] is False
    assert again.get_json()["updated_at"] == "2026-02-01T00:00:00Z"
    assert published(app, "eligibility.profile.updated") == []
    assert put(client, "fl-1", talent(updated_at="2026-01-15T00:00:00Z", jss=50)).get_json()["stale"]
    put(client, "fl-1", talent(updated_at="2026-03-01T00:00:00Z", hourly_rate=99))
    [profile] = published(app, "eligibility.profile.updated")
    assert profile["hourly_rate"] == 99 and profile["updated_at"] == "2026-03-01T00:00:00Z"
    assert [v["eligible"] for v in verdicts(client)] == [True]


def test_a_put_reads_the_talent_row_once_and_builds_no_schema(app, client, monkeypatch):
    from sqlalchemy import event

    from services.eligibility.schemas import TalentDocumentSchema
    engine = app.config["RUNTIME"].db.engine
    put(client, "fl-1", talent())
    built, statements = [], []
    original = TalentDocumentSchema.__init__

    def build(schema, *args, **kwargs):
        built.append(schema)
        original(schema, *args, **kwargs)

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()).lower())
    monkeypatch.setattr(TalentDocumentSchema, "__init__", build)
    event.listen(engine, "before_cursor_execute", record)
    try:
        fresh = put(client, "fl-1", talent(updated_at="2026-02-01T00:00:00Z", jss=85))
        late = put(client, "fl-1", talent(updated_at="2026-01-15T00:00:00Z"))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert fresh.get_json() == {"freelancer_id": "fl-1", "stale": False, "eligible": True,
                                "ineligible_reasons": [], "updated_at": "2026-02-01T00:00:00Z"}
    assert late.get_json() == {**fresh.get_json(), "stale": True}
    assert len([s for s in statements if s.startswith("select") and "from talent" in s]) == 2  # one a PUT
    assert built == []


def test_updates_out_of_order_or_repeated_change_nothing(app, client):
    assert put(client, "fl-1", talent(updated_at="2026-05-01T00:00:00Z", jss=90)).status_code == 201
    older = put(client, "fl-1", talent(updated_at="2026-04-01T00:00:00Z", jss=50))
    same = put(client, "fl-1", talent(updated_at="2026-05-01T00:00:00Z", jss=50))
    assert older.status_code == same.status_code == 200
    assert older.get_json()["stale"] and same.get_json()["stale"]
    stored = client.get("/internal/v1/talent/fl-1", headers=OPERATOR).get_json()
    assert stored["document"]["jss"] == 90


def test_an_expert_at_risk_is_flagged_and_a_pair_approved_when_ineligible_gets_its_verdict_at_once(app, client):
    put(client, "fl-1", talent(jss=82))
    put(client, "fl-2", talent(account_status="suspended"))
    catalog_says(app, "approved", "fl-1")
    catalog_says(app, "approved", "fl-2")
    by_id = {v["freelancer_id"]: v for v in verdicts(client)}
    assert by_id["fl-1"]["at_risk"] is True and by_id["fl-1"]["eligible"] is True
    assert by_id["fl-2"]["reasons"] == ["account_suspended"]
    assert {c["freelancer_id"] for c in published(app, "eligibility.verdict.changed")} == {"fl-1", "fl-2"}


def test_declined_everywhere_stops_watching_but_removed_stays_watched(app, client):
    put(client, "fl-1", talent())
    catalog_says(app, "approved", "fl-1")
    catalog_says(app, "removed", "fl-1", approved_anywhere=False)
    assert len(verdicts(client)) == 1
    catalog_says(app, "declined", "fl-1", approved_anywhere=False)
    assert verdicts(client) == []


def test_the_sweep_republishes_verdicts_and_running_it_twice_changes_nothing(app, client):
    put(client, "fl-1", talent(account_status="suspended"))
    catalog_says(app, "approved", "fl-1")
    published(app, "eligibility.verdict.changed")
    first = client.post("/internal/v1/sweeps", headers=OPERATOR).get_json()
    second = client.post("/internal/v1/sweeps", headers=OPERATOR).get_json()
    assert first == second == {"republished": 1, "changed": 0}
    assert len(published(app, "eligibility.verdict.changed")) == 2
    history = client.get("/internal/v1/verdicts/history", headers=OPERATOR).get_json()["items"]
    assert len(history) == 1


def test_bulk_keeps_good_lines_and_reports_each_bad_one_with_its_line_number(client):
    good = [json.dumps({"freelancer_id": f"fl-{i}", **talent()}) for i in range(3)]
    bad = ["not json", json.dumps({**talent(), "freelancer_id": "x", "jss": "high"}),
           json.dumps({**talent(), "freelancer_id": "y", "jss": 101}),
           json.dumps({**talent(), "freelancer_id": "z", "badges": ["famous"]}),
           json.dumps({**talent(), "freelancer_id": "w", "hourly_rate": -5}),
           json.dumps(talent())]
    body = "\n".join([good[0], bad[0], good[1], "", *bad[1:], good[2]]) + "\n"
    answer = client.post("/internal/v1/talent:bulk", data=body, headers={**OPERATOR, "Content-Type": "application/x-ndjson"})
    result = answer.get_json()
    assert answer.status_code == 200 and result["accepted"] == 3
    assert [(r["line"], r["code"]) for r in result["rejected"]] == [
        (2, "invalid_json"), (5, "validation_error"), (6, "validation_error"), (7, "validation_error"),
        (8, "validation_error"), (9, "missing_freelancer_id")]


def test_bad_input_and_bad_tokens_are_refused_cleanly(app, client):
    assert client.put("/internal/v1/talent/fl-1", json=talent()).status_code == 401
    assert put(client, "fl-1", {**talent(), "jss": -1}).status_code == 422
    assert put(client, "fl-1", {**talent(), "freelancer_id": "fl-2"}).get_json()["code"] == "validation_error"
    assert put(client, "fl-1", {k: v for k, v in talent().items() if k != "name"}).status_code == 422
    bad_json = client.put("/internal/v1/talent/fl-1", data="{", content_type="application/json", headers=OPERATOR)
    assert bad_json.status_code == 400 and bad_json.get_json()["code"] == "invalid_json"
    assert client.put("/internal/v1/talent/fl-1", json=talent(),
                      headers={"Authorization": "Bearer wrong"}).status_code == 401
    member = {"Authorization": f"Bearer {app.config['MEMBER_TOKEN']}"}
    assert client.put("/internal/v1/talent/fl-1", json=talent(), headers=member).get_json()["code"] == "forbidden"
    assert client.post("/internal/v1/sweeps", headers=member).status_code == 403
    assert client.post("/internal/v1/talent:bulk", data="{}").status_code == 401
    app.config["BULK_MAX_BYTES"] = 100
    big = client.post("/internal/v1/talent:bulk", data="x" * 200, headers=OPERATOR)
    assert big.status_code == 413 and big.get_json()["code"] == "file_too_large"
    assert client.get("/internal/v1/verdicts?cursor=nope", headers=OPERATOR).get_json()["code"] == "invalid_cursor"
    assert client.get("/internal/v1/talent/nobody", headers=OPERATOR).status_code == 404


def test_the_same_freelancer_twice_in_one_bulk_file_keeps_the_newer_document(client):
    lines = [json.dumps({"freelancer_id": "fl-1", **talent(jss=90, updated_at="2026-01-01T00:00:00Z")}),
             json.dumps({"freelancer_id": "fl-1", **talent(jss=70, updated_at="2026-02-01T00:00:00Z")}),
             json.dumps({"freelancer_id": "fl-1", **talent(jss=99, updated_at="2025-12-01T00:00:00Z")})]
    result = client.post("/internal/v1/talent:bulk", data="\n".join(lines), headers=OPERATOR).get_json()
    assert result["accepted"] == 3 and result["stale"] == 1 and result["rejected"] == []
    assert client.get("/internal/v1/talent/fl-1", headers=OPERATOR).get_json()["document"]["jss"] == 70


def test_decisions_arrive_over_the_bus_once_and_verdicts_leave_on_it(app, client):
    runtime = app.config["RUNTIME"]
    put(client, "fl-1", talent())
    stop = threading.Event()
    worker = threading.Thread(target=make_consumer(runtime).run, args=(stop,))
    worker.start()
    try:
        approved = decision("approved", "fl-1").to_message()
        runtime.bus.publish([approved, approved])  # delivered twice, handled once
        _wait_for(lambda: verdicts(client))
        put(client, "fl-1", talent(jss=79, updated_at="2026-02-01T00:00:00Z"))
        [change] = published(app, "eligibility.verdict.changed")
        assert (change["freelancer_id"], change["eligible"], change["reasons"]) == (
            "fl-1", False, ["jss_below_threshold"])
        assert change["rules"][0]["before"] == {"jss": 92} and change["rules"][0]["after"] == {"jss": 79}
    finally:
        stop.set()
        worker.join(10)
    assert runtime.bus.dead_letters("eligibility") == []


def _wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_of_two_puts_at_once_an_older_one_is_never_written_last(app, client):
    """The newer PUT holds its transaction open; the older one, sent meanwhile, must wait and
    then find itself stale instead of overwriting the newer document when its turn comes."""
    from services.eligibility import handlers
    runtime, criteria = app.config["RUNTIME"], app.extensions["criteria"]
    put(client, "fl-1", talent(jss=90, updated_at="2026-01-01T00:00:00Z"))
    newer, older = talent(jss=95, updated_at="2026-03-01T00:00:00Z"), talent(jss=70, updated_at="2026-02-01T00:00:00Z")
    answers = []
    with runtime.db.transaction() as session:
        handlers.put_talent(runtime, session, "fl-1", _loaded(newer), criteria)
        second = threading.Thread(target=lambda: answers.append(put(client, "fl-1", older)))
        second.start()
        time.sleep(0.5)  # the older PUT is now waiting on the row (PostgreSQL) or the write lock (SQLite)
    second.join(30)
    assert answers[0].status_code == 200 and answers[0].get_json()["stale"] is True
    assert client.get("/internal/v1/talent/fl-1", headers=OPERATOR).get_json()["document"]["jss"] == 95


def test_two_first_puts_of_one_freelancer_at_once_both_answer(app, client):
    """Both find no row; the one that loses the race to insert it runs again and finds it."""
    from services.eligibility import handlers
    runtime, criteria = app.config["RUNTIME"], app.extensions["criteria"]
    answers = []
    with runtime.db.transaction() as session:
        handlers.put_talent(runtime, session, "fl-9", _loaded(talent(updated_at="2026-03-01T00:00:00Z")), criteria)
        second = threading.Thread(target=lambda: answers.append(
            put(client, "fl-9", talent(jss=70, updated_at="2026-02-01T00:00:00Z"))))
        second.start()
        time.sleep(0.5)
    second.join(30)
    assert answers[0].status_code == 200, answers[0].get_data(as_text=True)
    assert answers[0].get_json()["stale"] is True
    assert client.get("/internal/v1/talent/fl-9", headers=OPERATOR).get_json()["document"]["jss"] == 92


def _loaded(doc: dict) -> dict:
    from services.eligibility.api import TALENT_DOCUMENT
    return TALENT_DOCUMENT.load(doc)
