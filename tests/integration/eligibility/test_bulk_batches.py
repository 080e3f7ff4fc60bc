"""The bulk upload stays bulk: one outbox row per batch carrying a batch event, the rules of a
single PUT kept for every line, and single PUTs still publishing single events."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services.eligibility.models import Talent
from tests.integration.eligibility.conftest import OPERATOR
from tests.integration.eligibility.test_talent_and_verdicts import PARTNER, catalog_says, published, put, talent

pytestmark = pytest.mark.integration
NDJSON = {**OPERATOR, "Content-Type": "application/x-ndjson"}


def upload(client, docs: list[dict]):
    body = "\n".join(json.dumps(doc) for doc in docs) + "\n"
    answer = client.post("/internal/v1/talent:bulk", data=body, headers=NDJSON)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def outbox_rows(app) -> list[str]:
    runtime = app.config["RUNTIME"]
    with runtime.db.reading() as conn:
        return list(conn.execute(select(runtime.outbox.c.event_type).where(runtime.outbox.c.published_at.is_(None))
                                 .order_by(runtime.outbox.c.id)).scalars())


def directory(count: int, updated_at: str, **changes) -> list[dict]:
    return [{"freelancer_id": f"fl-{i:04d}", **talent(updated_at=updated_at, name=f"Talent {i}", **changes)}
            for i in range(count)]


def test_a_rescore_is_stored_in_batches_each_one_outbox_row_with_its_profiles_and_verdict_changes(app, client):
    app.config["BULK_BATCH_LINES"] = 100
    assert upload(client, directory(250, "2026-01-01T00:00:00Z")) == {"accepted": 250, "stale": 0, "rejected": []}
    assert outbox_rows(app) == ["eligibility.profiles.updated"] * 3
    first = published(app, "eligibility.profiles.updated")
    assert [len(b["profiles"]) for b in first] == [100, 100, 50] and all(b["verdicts"] == [] for b in first)
    catalog_says(app, "approved", "fl-0007")
    catalog_says(app, "approved", "fl-0150")
    published(app, "eligibility.verdict.changed")

    rescored = directory(250, "2026-02-01T00:00:00Z")
    for doc in rescored:
        doc["jss"] = 70 if doc["freelancer_id"] in ("fl-0007", "fl-0008") else 93
    assert upload(client, rescored)["accepted"] == 250
    batches = published(app, "eligibility.profiles.updated")
    assert sum(len(b["profiles"]) for b in batches) == 250 and len(batches) == 3
    verdicts = [v for b in batches for v in b["verdicts"]]
    assert [(v["partner_id"], v["freelancer_id"], v["eligible"], v["reasons"]) for v in verdicts] == [
        (PARTNER, "fl-0007", False, ["jss_below_threshold"])]
    assert verdicts[0]["rules"] == [{"rule": "jss_below_threshold", "before": {"jss": 92}, "after": {"jss": 70}}]
    assert published(app, "eligibility.profile.updated") == published(app, "eligibility.verdict.changed") == []
    history = client.get("/internal/v1/verdicts/history", query_string={"freelancer_id": "fl-0007"},
                         headers=OPERATOR).get_json()["items"]
    assert [(h["eligible"], h["reasons"]) for h in history] == [(False, ["jss_below_threshold"])]


def test_stale_lines_change_nothing_and_lines_new_only_in_time_publish_no_profile(app, client):
    upload(client, directory(30, "2026-01-01T00:00:00Z"))
    published(app, "eligibility.profiles.updated")
    again = upload(client, directory(30, "2026-01-01T00:00:00Z", jss=10))  # equal updated_at: stale
    assert (again["accepted"], again["stale"]) == (30, 30) and outbox_rows(app) == []
    time_only = upload(client, directory(30, "2026-03-01T00:00:00Z"))
    assert time_only["stale"] == 0 and outbox_rows(app) == []
    older = upload(client, directory(30, "2026-02-01T00:00:00Z", jss=10))
    assert older["stale"] == 30 and outbox_rows(app) == []
    stored = client.get("/internal/v1/talent/fl-0003", headers=OPERATOR).get_json()["document"]
    assert (stored["jss"], stored["updated_at"]) == (92, "2026-03-01T00:00:00Z")
    with app.config["RUNTIME"].db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(Talent)).scalar_one() == 30


def test_a_single_put_still_publishes_its_own_single_events(app, client):
    put(client, "fl-1", talent())
    catalog_says(app, "approved", "fl-1")
    put(client, "fl-1", talent(jss=50, updated_at="2026-02-01T00:00:00Z"))
    assert outbox_rows(app)[-2:] == ["eligibility.profile.updated", "eligibility.verdict.changed"]
