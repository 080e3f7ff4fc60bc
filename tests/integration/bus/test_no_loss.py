"""No event is lost and no effect is applied twice, whatever happens to the processes
or to the bus. Runs on RabbitMQ + PostgreSQL and on the folder bus + SQLite."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.support import ledger
from tests.support.procs import wait_until

pytestmark = pytest.mark.integration


def _setup(backend):
    proc = backend.ledger("setup", "setup").start()
    assert proc.popen.wait(60) == 0, proc.log()
    return ledger.Database(backend.env["LEDGER_DATABASE_URL"])


def _all_handled_once(db, expected: int, timeout: float = 120) -> dict:
    wait_until(lambda: ledger.counts(db)["distinct"] >= expected, timeout, 0.2,
               f"{expected} events handled")
    time.sleep(0.5)  # let any late duplicate arrive before judging
    found = ledger.counts(db)
    assert found["distinct"] == expected, found
    assert found["effects"] == expected, f"an effect was applied twice: {found}"
    return found


def _whole_batches(db, size: int) -> bool:
    """Every batch event's entries applied all together or not at all."""
    with db.reading() as conn:
        applied = conn.execute(text("SELECT substr(event_id, 1, instr(event_id, '/')) AS batch, count(*) "
                                    "FROM effects WHERE event_id LIKE '%/%' GROUP BY batch")
                               if db.is_sqlite else
                               text("SELECT split_part(event_id, '/', 1) AS batch, count(*) FROM effects "
                                    "WHERE event_id LIKE '%/%' GROUP BY batch")).all()
    return all(count == size for _, count in applied)


def test_connections_closed_under_the_publisher_three_times_lose_nothing_single_or_batch_events(backend):
    db = _setup(backend)
    consumer = backend.ledger("consumer", "consume").start()
    ledger.write(db, 0, 5000)
    ledger.write(db, 5000, 5000, batch=100)  # and 50 batch events of 100 entries, as a bulk upload sends
    relay = backend.ledger("relay", "relay").start()
    for _ in range(3):
        wait_until(lambda: ledger.counts(db)["pending"] < 5050, 60, 0.01, "publishing to start")
        time.sleep(0.3)
        backend.cut()
    found = _all_handled_once(db, 10000)
    assert found["pending"] == 0 and _whole_batches(db, 100)
    relay.stop()
    consumer.stop()


def test_a_consumer_killed_while_holding_unacked_messages_even_mid_batch_loses_none_of_them(backend):
    db = _setup(backend)
    ledger.write(db, 0, 500, batch=50)  # batch events first (0.25 s each to handle), then single ones
    ledger.write(db, 500, 500)
    relay = backend.ledger("relay", "relay").start()
    wait_until(lambda: ledger.counts(db)["pending"] == 0, 60, 0.1, "all published")
    first = backend.ledger("consumer-1", "consume", "--delay", "0.005").start()
    wait_until(lambda: ledger.counts(db)["distinct"] >= 200, 60, 0.01, "some handled")
    time.sleep(0.1)  # into the next batch
    first.kill()
    handled_before_kill = ledger.counts(db)["distinct"]
    assert handled_before_kill < 1000 and _whole_batches(db, 50)  # the batch in hand: none of it
    second = backend.ledger("consumer-2", "consume").start()
    _all_handled_once(db, 1000)
    assert _whole_batches(db, 50)
    second.stop()
    relay.stop()


def test_a_process_killed_between_commit_and_publish_has_its_events_published_after_restart(backend):
    db = _setup(backend)
    consumer = backend.ledger("consumer", "consume").start()
    writer = backend.ledger("writer", "write", "--count", "300", "--batch", "300", "--crash-after-commit").start()
    writer.popen.wait(60)
    batches = backend.ledger("batch-writer", "write", "--count", "3000", "--batch", "3000", "--batch-events", "500",
                             "--crash-after-commit").start()  # 3,000 entries in 6 batch events
    batches.popen.wait(60)
    assert (writer.popen.returncode, batches.popen.returncode) == (-9, -9)
    assert ledger.counts(db)["pending"] == 306
    relay = backend.ledger("relay", "relay").start()
    _all_handled_once(db, 3300)
    relay.stop()
    consumer.stop()


def test_writes_keep_succeeding_while_the_bus_is_down_and_the_backlog_drains_after(backend):
    db = _setup(backend)
    consumer = backend.ledger("consumer", "consume").start()
    relay = backend.ledger("relay", "relay").start()
    ledger.write(db, 0, 100)
    _all_handled_once(db, 100)
    backend.down()
    for batch in range(10):
        ledger.write(db, 100 + batch * 50, 50)  # raises if a write failed
        time.sleep(0.1)
    assert ledger.counts(db)["pending"] == 500
    backend.up()
    _all_handled_once(db, 600)
    relay.stop()
    consumer.stop()


def test_a_poison_message_is_dead_lettered_the_queue_keeps_flowing_and_replay_brings_it_back(backend, tmp_path):
    flag = tmp_path / "poison-on"
    flag.write_text("1")
    db = _setup(backend)
    env = {"LEDGER_POISON_FLAG": str(flag)}
    consumer = backend.ledger("consumer", "consume", extra_env=env).start()
    relay = backend.ledger("relay", "relay").start()
    ledger.write(db, 0, 1, poison=True)
    ledger.write(db, 1, 200)
    _all_handled_once(db, 200)
    bus = backend.bus()
    dead = wait_until(lambda: bus.dead_letters(ledger.QUEUE), 30, 0.2, "the poison message dead-lettered")
    assert len(dead) == 1 and b'"poison":true' in dead[0].body
    flag.unlink()  # the bug is fixed
    assert bus.replay(ledger.QUEUE) == 1
    _all_handled_once(db, 201)
    assert bus.dead_letters(ledger.QUEUE) == []
    bus.close()
    relay.stop()
    consumer.stop()


def test_a_consumer_stopped_with_sigterm_finishes_the_message_in_hand_and_loses_nothing(backend):
    import signal
    db = _setup(backend)
    ledger.write(db, 0, 20)
    relay = backend.ledger("relay", "relay").start()
    consumer = backend.ledger("consumer", "consume", "--delay", "0.3").start()
    wait_until(lambda: ledger.counts(db)["distinct"] >= 2, 30, 0.02, "handling to start")
    consumer.popen.send_signal(signal.SIGTERM)
    assert consumer.popen.wait(15) == 0
    handled = ledger.counts(db)["distinct"]
    assert 2 <= handled < 20
    restarted = backend.ledger("consumer-2", "consume").start()
    _all_handled_once(db, 20)
    restarted.stop()
    relay.stop()

