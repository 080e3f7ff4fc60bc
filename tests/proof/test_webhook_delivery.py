"""Proof under fire, webhooks: on PostgreSQL and RabbitMQ behind the fault proxies, every
event a partner subscribed to reaches its receiver, none is lost, and any duplicate carries
the same webhook-id, while the delivery worker is killed mid-batch, the broker connections
are cut, or the receiver is down for a while (issue 19, "Proven like the bus"). Figures for
docs/reliability.md; PROOF_SCALE sets how many events and how long the receiver is down."""
from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

import pytest

from tests.e2e.helpers import new_partner, sign_up, upload
from tests.support.figures import Stopwatch
from tests.support.procs import wait_until
from tests.support.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
LOGOS = ("logo-24.svg", "logo-24px.svg")  # alternated: each upload is a new version, so an event


class Subscriber:
    """A partner with a webhook for asset.updated and the receivers it has had."""

    def __init__(self, suite):
        self.suite = suite
        self.admin = sign_up(suite)
        self.pid = new_partner(suite, self.admin)["id"]
        self.receivers = [Receiver()]
        base = f"/api/v1/partners/{self.pid}/webhooks"
        created = wait_until(lambda: (r := suite.call("POST", base, self.admin["token"], json={
            "url": self.receivers[0].url(), "events": ["asset.updated"]})).status_code == 201 and r,
            30, 0.2, "the webhooks service to know the admin")
        self.wid, self.secret = created.json()["id"], created.json()["secret"]
        self.uploads = 0

    def upload(self, count: int) -> None:
        for _ in range(count):
            answer = wait_until(lambda: (r := upload(self.suite, self.admin["token"], self.pid, "logo-dark",
                                                     LOGOS[self.uploads % 2])).status_code != 503 and r,
                                30, 0.2, "an upload")
            assert answer.status_code == 200, answer.text
            self.uploads += 1

    def received(self) -> list:
        return [got for receiver in self.receivers for got in list(receiver.received)]

    def account(self) -> dict:
        """Published events against what the receivers got (each verified by standardwebhooks)."""
        published = {row[0] for row in self.suite.sql(
            "assets", "SELECT event_id FROM outbox WHERE event_type = 'assets.asset.updated' AND body LIKE :p",
            p=f"%{self.pid}%")}
        rows = self.suite.sql("webhooks", "SELECT id, event_id, status FROM webhook_deliveries "
                                          "WHERE endpoint_id = :w", w=self.wid)
        event_of = {row[0]: row[1] for row in rows}
        bodies = defaultdict(set)
        for got in self.received():
            got.verified_by(self.secret)
            bodies[got.headers["webhook-id"]].add(got.body)
        ids = [got.headers["webhook-id"] for got in self.received()]
        return {"events": len(published), "lost": len(published - {event_of.get(i) for i in ids}),
                "duplicates": len(ids) - len(set(ids)),
                "events with two webhook-ids": sum(n - 1 for n in Counter(event_of.values()).values() if n > 1),
                "webhook-ids with two bodies": sum(len(b) > 1 for b in bodies.values()),
                "not settled": sum(row[2] != "succeeded" for row in rows)}

    def settle(self, timeout: float) -> tuple[dict, float]:
        clock, found = Stopwatch(), {}

        def done():
            found.update(self.account())
            return found["events"] == self.uploads and found["lost"] == found["not settled"] == 0
        try:
            wait_until(done, timeout, 0.5, "every event delivered")
        except AssertionError:
            pass
        return found, clock.seconds()

    def stop(self) -> None:
        for receiver in self.receivers:
            receiver.stop()


@pytest.fixture
def subscriber(suite):
    made = Subscriber(suite)
    yield made
    made.stop()


def _record(reliability, found: dict, seconds: float, what: str) -> None:
    reliability.add("events sent to the receiver", found["events"])
    reliability.add("events lost", found["lost"])
    reliability.add("duplicates (each with its webhook-id)", found["duplicates"])
    reliability.add("events delivered under two webhook-ids", found["events with two webhook-ids"])
    reliability.add(f"seconds to deliver everything {what}", seconds, "s")


def _held(found: dict, uploads: int) -> bool:
    return (found["events"], found["lost"], found["events with two webhook-ids"],
            found["webhook-ids with two bodies"], found["not settled"]) == (uploads, 0, 0, 0, 0)


def test_the_delivery_worker_killed_mid_batch_loses_no_webhook(suite, subscriber, scale, reliability):
    """The webhook delivery worker killed with SIGKILL mid-batch"""
    subscriber.receivers[0].delay = 1.0  # 4 attempts a second: a backlog, and attempts in flight

    def leased() -> int:
        return suite.sql("webhooks", "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = :w AND "
                                     "status = 'pending' AND claimed_until > timezone('utc', now())", w=subscriber.wid)[0][0]
    subscriber.upload(scale.webhook_events)
    wait_until(lambda: len(subscriber.received()) >= 4 and leased() >= 2, 60, 0.05, "attempts in flight")
    suite.kill("webhooks.deliver")
    in_flight_at_kill, held = subscriber.uploads - len(subscriber.received()), leased()
    subscriber.receivers[0].delay = 0.05
    suite.start_process("webhooks.deliver")
    found, seconds = subscriber.settle(120 + scale.webhook_events * 0.3)
    reliability.add("not yet delivered when the worker was killed", in_flight_at_kill)
    reliability.add("claimed by the killed worker, unsettled", held, note="sent again once their lease ends")
    _record(reliability, found, seconds, "after the restart (leases of 15 s)")
    assert _held(found, subscriber.uploads), f"{found}\n{suite.diagnosis()}"
    assert held >= 1 and found["duplicates"] >= 1  # in flight when killed: sent again, same webhook-id


def test_broker_connections_cut_every_few_seconds_lose_no_webhook(suite, subscriber, scale, reliability):
    """The broker connections cut while webhook events flow"""
    cuts, stop = [], threading.Event()

    def cutter():
        while not stop.wait(scale.cut_every_seconds):
            suite.broker.cut()
            cuts.append(time.monotonic())
    threading.Thread(target=cutter, daemon=True).start()
    try:
        subscriber.upload(scale.webhook_events)
        while len(cuts) < 3:
            subscriber.upload(1)
    finally:
        stop.set()
    found, seconds = subscriber.settle(180)
    reliability.add("connection cuts", len(cuts), note=f"one every {scale.cut_every_seconds} s")
    _record(reliability, found, seconds, "after the last cut")
    assert _held(found, subscriber.uploads), f"{found}\n{suite.diagnosis()}"


def test_a_receiver_down_for_a_while_gets_every_webhook_once_back(suite, subscriber, scale, reliability):
    """A webhook receiver down, then back"""
    port = subscriber.receivers[0].port
    subscriber.receivers[0].stop()
    down = Stopwatch()
    subscriber.upload(scale.webhook_events)
    attempts = wait_until(lambda: suite.sql("webhooks", "SELECT sum(attempts) FROM webhook_deliveries "
                                                        "WHERE endpoint_id = :w", w=subscriber.wid)[0][0], 60, 0.5,
                          "failed attempts")
    time.sleep(max(0.0, scale.receiver_down_seconds - down.seconds()))
    subscriber.receivers.append(Receiver(port=port))
    found, seconds = subscriber.settle(180)
    reliability.add("receiver down for", scale.receiver_down_seconds, "s")
    reliability.add("failed attempts seen while it was down", attempts, note="at least")
    _record(reliability, found, seconds, "once it was back (retries at most 60 s apart here)")
    assert _held(found, subscriber.uploads), f"{found}\n{suite.diagnosis()}"
