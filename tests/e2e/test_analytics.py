"""A partner sees who visited: views, visitors, referrers and clicks of its public page in
``GET /api/v1/partners/<pid>/analytics`` within 60 seconds, bots left out, on both
configurations (API.md second round, "Details": Analytics)."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import new_partner, publishable_page, sign_up, verified
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
PHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture(scope="module")
def visited(stack):
    ready = publishable_page(stack, experts=10)
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    assert stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True}).status_code == 200
    page = f"/experts/{ready['partner']['slug']}"
    for _ in range(3):  # the first through Flask, the next from the fast path: all counted
        assert stack.call("GET", page, headers={"User-Agent": PHONE,
                                                "Referer": "https://news.example.org/a"}).status_code == 200
    assert stack.call("GET", page, headers={"User-Agent": DESKTOP}).status_code == 200
    for bot in ("Googlebot/2.1 (+http://www.google.com/bot.html)", ""):
        assert stack.call("GET", page, headers={"User-Agent": bot}).status_code == 200
    return ready


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def analytics(stack, ready, token=None, **query):
    pid = ready["partner"]["id"]
    return stack.call("GET", f"/api/v1/partners/{pid}/analytics", token or ready["admin"]["token"], params=query)


def test_human_views_visitors_and_referrers_reach_the_partner_within_60_seconds_and_bots_do_not(stack, visited):
    wait_until(lambda: analytics(stack, visited).json()["series"][-1]["views"] >= 4, 60, 0.5, "the views to show")
    answer = analytics(stack, visited).json()
    today = answer["series"][-1]
    assert today["start"] == utc_today().isoformat()
    assert (today["views"], today["visitors"], today["clicks"]) == (4, 2, 0)
    assert len(answer["series"]) == 30
    assert answer["referrers"] == [{"host": "news.example.org", "views": 3}]
    assert answer["embeds"] == [] and answer["experts"] == []


def test_the_series_comes_as_csv_and_by_week(stack, visited):
    wait_until(lambda: analytics(stack, visited).json()["series"][-1]["views"] >= 4, 60, 0.5, "the views to show")
    pid = visited["partner"]["id"]
    answer = stack.call("GET", f"/api/v1/partners/{pid}/analytics", visited["admin"]["token"],
                        headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0]) == ["start", "views", "visitors", "clicks"] and len(rows) == 30
    assert sum(int(r["views"]) for r in rows) == 4
    first = utc_today() - timedelta(days=20)
    weekly = analytics(stack, visited, **{"from": first.isoformat(), "interval": "week"}).json()["series"]
    assert weekly[0]["start"] == first.isoformat()
    assert all(date.fromisoformat(w["start"]).weekday() == 0 for w in weekly[1:])
    assert sum(w["views"] for w in weekly) == 4


@pytest.mark.parametrize("query", [{"from": "2024-01-01", "to": "2025-01-02"}, {"from": "yesterday"},
                                   {"interval": "month"}, {"from": "2025-02-02", "to": "2025-02-01"}])
def test_a_bad_or_too_long_range_is_invalid_parameter(stack, visited, query):
    answer = analytics(stack, visited, **query)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_parameter"


def test_another_partners_member_gets_404_and_no_token_401(stack, visited):
    other = verified(stack, sign_up(stack, "Grace"))
    new_partner(stack, other)
    assert analytics(stack, visited, token=other["token"]).status_code == 404
    pid = visited["partner"]["id"]
    assert stack.call("GET", f"/api/v1/partners/{pid}/analytics").status_code == 401
    assert stack.operator("GET", f"/api/v1/partners/{pid}/analytics").status_code == 403
