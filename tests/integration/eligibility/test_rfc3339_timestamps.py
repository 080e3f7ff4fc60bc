"""``updated_at`` accepts every RFC 3339 date-time (section 5.6), a leap second included, read as
the last instant of second 59 (API.md, "Changed rules"), through the PUT and the bulk upload, on
SQLite and on PostgreSQL; what orders updates is the instant, whatever the form."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.integration.eligibility.conftest import OPERATOR
from tests.integration.eligibility.test_talent_and_verdicts import put, talent

pytestmark = pytest.mark.integration

# (form, the instant it names in UTC as isoformat)
FORMS = [
    ("2026-03-01T12:00:00Z", "2026-03-01T12:00:00+00:00"),
    ("2026-03-01t12:00:00z", "2026-03-01T12:00:00+00:00"),
    ("2026-03-01T12:00:00+00:00", "2026-03-01T12:00:00+00:00"),
    ("2026-03-01T12:00:00-00:00", "2026-03-01T12:00:00+00:00"),
    ("2026-03-01T17:30:00+05:30", "2026-03-01T12:00:00+00:00"),
    ("2026-03-01T03:15:00-08:45", "2026-03-01T12:00:00+00:00"),
    ("2026-03-01T12:00:00.5Z", "2026-03-01T12:00:00.500000+00:00"),
    ("2026-03-01T12:00:00.123Z", "2026-03-01T12:00:00.123000+00:00"),
    ("2026-03-01T12:00:00.123456Z", "2026-03-01T12:00:00.123456+00:00"),
    ("2026-03-01T12:00:00.1234567891234Z", "2026-03-01T12:00:00.123456+00:00"),
    ("2026-03-01T12:00:00.9999999999Z", "2026-03-01T12:00:00.999999+00:00"),
    ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999999+00:00"),
    ("2016-12-31T23:59:60.5Z", "2016-12-31T23:59:59.999999+00:00"),
    ("2016-12-31t15:59:60-08:00", "2016-12-31T23:59:59.999999+00:00"),
    ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00+00:00"),
]
NOT_RFC3339 = ["2026-03-01T12:00:00", "2026-03-01", "2026-03-01T12:00Z", "2026-02-30T00:00:00Z",
               "2026-03-01T24:00:00Z", "2026-03-01T12:60:00Z", "2026-03-01T12:00:61Z", "2026-03-01T12:00:00+24:00",
               "2026-03-01T12:00:00+05:60", "2026-03-01T12:00:00.Z", "0000-01-01T00:00:00Z",
               "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "26-03-01T12:00:00Z", "١٩٧٠-01-01T00:00:00Z",
               "2026-03-01T12:00:00Z ", 1772366400, None]


def stored_updated_at(client, fid: str) -> dt.datetime:
    document = client.get(f"/internal/v1/talent/{fid}", headers=OPERATOR).get_json()["document"]
    return dt.datetime.fromisoformat(document["updated_at"])


def test_a_put_accepts_every_rfc3339_form_and_stores_the_instant_it_names(client):
    for i, (form, instant) in enumerate(FORMS):
        answer = put(client, f"fl-form-{i}", talent(updated_at=form))
        assert answer.status_code == 201, (form, answer.get_json())
        assert stored_updated_at(client, f"fl-form-{i}") == dt.datetime.fromisoformat(instant), form
        same_instant = put(client, f"fl-form-{i}", talent(updated_at=instant, title="Changed"))
        assert same_instant.get_json()["stale"] is True, form  # equal is not newer, whatever the form


def test_a_put_refuses_what_is_not_an_rfc3339_date_time(client):
    for value in NOT_RFC3339:
        answer = put(client, "fl-bad", talent(updated_at=value))
        assert answer.status_code == 422 and "updated_at" in answer.get_json()["errors"], value


def test_the_bulk_upload_accepts_every_form_and_rejects_the_rest_line_by_line(client):
    lines = [json.dumps(talent(freelancer_id=f"fl-bulk-{i}", updated_at=form)) for i, (form, _) in enumerate(FORMS)]
    lines += [json.dumps(talent(freelancer_id=f"fl-bad-{i}", updated_at=value)) for i, value in enumerate(NOT_RFC3339)]
    answer = client.post("/internal/v1/talent:bulk", data="\n".join(lines).encode(),
                         headers={**OPERATOR, "Content-Type": "application/x-ndjson"})
    assert answer.status_code == 200
    assert answer.get_json()["accepted"] == len(FORMS)
    rejected = answer.get_json()["rejected"]
    assert [r["line"] for r in rejected] == list(range(len(FORMS) + 1, len(lines) + 1))
    assert {r["code"] for r in rejected} == {"validation_error"}
    for i, (_, instant) in enumerate(FORMS):
        assert stored_updated_at(client, f"fl-bulk-{i}") == dt.datetime.fromisoformat(instant)


def test_a_leap_second_orders_after_second_59_and_before_the_next_minute(client):
    assert put(client, "fl-leap", talent(updated_at="2016-12-31T23:59:59.5Z")).status_code == 201
    leap = put(client, "fl-leap", talent(updated_at="2016-12-31T23:59:60Z", title="Leap"))
    assert leap.status_code == 200 and not leap.get_json().get("stale")
    after = put(client, "fl-leap", talent(updated_at="2017-01-01T00:00:00Z", title="New year"))
    assert after.status_code == 200 and not after.get_json().get("stale")
