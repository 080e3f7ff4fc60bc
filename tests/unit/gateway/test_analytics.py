"""Counting visits: bots left out, visitors only as a daily-salted hash, counts written in
batches (gateway/public/analytics.py)."""
from datetime import date

import pytest
from sqlalchemy import select

from gateway.models import AnalyticsCount, AnalyticsSalt, AnalyticsVisitor, Base
from gateway.public import analytics
from services.common.db import Database

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/gateway.db")
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


def visit(address="203.0.113.7", agent=BROWSER, referer=None):
    environ = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent}
    if referer:
        environ["HTTP_REFERER"] = referer
    return environ


@pytest.mark.parametrize("agent", [None, "", "   ", "Googlebot/2.1 (+http://www.google.com/bot.html)",
                                   "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                                   "curl/8.5.0", "python-requests/2.32.3"])
def test_crawlers_and_requests_without_a_user_agent_are_bots(agent):
    assert analytics.is_bot(agent)


def test_phone_and_desktop_browsers_are_not_bots():
    assert not analytics.is_bot(BROWSER)
    assert not analytics.is_bot("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")


def test_a_visitor_hash_changes_with_the_salt_and_never_contains_the_address():
    one, other = b"a" * 32, b"b" * 32
    first = analytics.visitor_hash(one, "203.0.113.7", BROWSER)
    assert first == analytics.visitor_hash(one, "203.0.113.7", BROWSER)
    assert first != analytics.visitor_hash(other, "203.0.113.7", BROWSER)
    assert first != analytics.visitor_hash(one, "203.0.113.8", BROWSER)
    assert len(first) == 32 and "203" not in first


def test_views_clicks_and_visitors_are_written_in_one_flush_without_address_or_agent(db):
    tally = analytics.Tally(db, own_host="experts.example.com", flush_seconds=3600)
    for _ in range(3):
        tally.view(visit(referer="https://news.example.org/post"), "p1", use_case_id="uc1")
    tally.view(visit(address="198.51.100.1", referer="https://experts.example.com/experts/x"), "p1")
    tally.view(visit(referer="https://shop.example.net/help"), "p1", embed=True)
    tally.view(visit(agent="Googlebot/2.1"), "p1")
    tally.click(visit(), "p1", "f1", "o1")
    tally.click(visit(agent=""), "p1", "f1")
    assert tally.flush() > 0
    assert tally.flush() == 0  # nothing new: no write
    with db.transaction() as session:
        counts = {(r.metric, r.key): r.count for r in session.execute(select(AnalyticsCount)).scalars()}
        visitors = session.execute(select(AnalyticsVisitor.visitor)).scalars().all()
        salts = session.execute(select(AnalyticsSalt)).scalars().all()
    assert counts == {("view", ""): 5, ("use_case", "uc1"): 3, ("referrer", "news.example.org"): 3,
                      ("embed", "shop.example.net"): 1, ("click", ""): 1, ("expert", "f1"): 1,
                      ("offering", "o1"): 1}
    assert len(visitors) == 2
    assert all("203.0.113" not in v and "Mozilla" not in v for v in visitors)
    assert [s.day for s in salts] == [analytics.today()]


def test_a_second_flush_adds_to_the_stored_counts(db):
    tally = analytics.Tally(db, flush_seconds=3600)
    tally.view(visit(), "p1")
    tally.flush()
    tally.view(visit(), "p1")
    tally.view(visit(), "p1")
    tally.flush()
    with db.transaction() as session:
        assert session.execute(select(AnalyticsCount.count)).scalar_one() == 3
        assert len(session.execute(select(AnalyticsVisitor)).scalars().all()) == 1


def test_yesterdays_salt_is_deleted_when_todays_is_made(db):
    with db.transaction() as session:
        session.add(AnalyticsSalt(day=date(2020, 1, 1), salt="00" * 32))
    salt = analytics.load_salt(db, analytics.today())
    assert len(salt) == 32
    with db.transaction() as session:
        assert [s.day for s in session.execute(select(AnalyticsSalt)).scalars()] == [analytics.today()]
