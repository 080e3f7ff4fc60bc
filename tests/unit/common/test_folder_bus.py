"""The folder bus's own guarantees, checked on a real folder in one process."""
import os
import threading

from services.common.bus import Message
from services.common.bus.folder import FolderBus


def message(i: int, key: str = "test.thing.happened") -> Message:
    return Message(key, f"id-{i}", b'{"n": %d}' % i, {"event_type": key})


def drain(bus, queue, handle=None, limit=None):
    seen, stop = [], threading.Event()

    def on(delivery):
        (handle or (lambda d: d.ack()))(delivery)
        seen.append(delivery.message.message_id)
        if limit and len(seen) >= limit:
            stop.set()

    timer = threading.Timer(1.0, stop.set)
    timer.start()
    bus.consume(queue, on, stop)
    timer.cancel()
    return seen


def test_only_queues_bound_to_a_matching_pattern_receive_a_message(tmp_path):
    bus = FolderBus(tmp_path)
    bus.declare("catalog", ["membership.#"])
    bus.declare("gateway", ["catalog.page.*"])
    bus.publish([message(1, "membership.member.joined")])
    assert bus.depth("catalog") == 1 and bus.depth("gateway") == 0


def test_nothing_half_written_is_ever_visible_to_a_consumer(tmp_path):
    bus = FolderBus(tmp_path)
    bus.declare("q", ["#"])
    (tmp_path / "queues" / "q" / "tmp" / "partial").write_bytes(b'{"routing_key": ')
    bus.publish([message(1)])
    assert drain(bus, "q") == ["id-1"]


def test_messages_are_delivered_in_publish_order(tmp_path):
    bus = FolderBus(tmp_path)
    bus.declare("q", ["#"])
    bus.publish([message(i) for i in range(50)])
    assert drain(bus, "q") == [f"id-{i}" for i in range(50)]


def test_a_claim_left_by_a_dead_consumer_is_delivered_again(tmp_path):
    bus = FolderBus(tmp_path)
    bus.declare("q", ["#"])
    bus.publish([message(1)])
    name = os.listdir(tmp_path / "queues" / "q" / "new")[0]
    dead_owner = "999999999-1"
    os.rename(tmp_path / "queues" / "q" / "new" / name, tmp_path / "queues" / "q" / "cur" / f"{dead_owner}~{name}")
    assert bus.depth("q") == 0
    assert bus.restore_orphans("q") == 1
    assert drain(bus, "q") == ["id-1"]


def test_a_claim_held_by_another_live_consumer_is_left_alone(tmp_path):
    from services.common.bus.folder import _process_tag
    bus = FolderBus(tmp_path)
    bus.declare("q", ["#"])
    bus.publish([message(1)])
    name = os.listdir(tmp_path / "queues" / "q" / "new")[0]
    other = _process_tag(os.getppid())
    os.rename(tmp_path / "queues" / "q" / "new" / name, tmp_path / "queues" / "q" / "cur" / f"{other}~{name}")
    assert bus.restore_orphans("q") == 0


def test_a_claim_left_behind_when_the_folder_went_away_is_delivered_again(tmp_path):
    bus = FolderBus(tmp_path)
    bus.declare("q", ["#"])
    bus.publish([message(1)])
    name = os.listdir(tmp_path / "queues" / "q" / "new")[0]
    delivery = bus._claim("q", name)
    (tmp_path / "queues").rename(tmp_path / "away")
    delivery.retry()                      # the folder is gone: nothing can move
    (tmp_path / "away").rename(tmp_path / "queues")
    assert bus.depth("q") == 0
    assert bus.restore_orphans("q") == 1  # ours, and nobody here is handling it
    assert drain(bus, "q") == ["id-1"]


def test_retries_past_the_delivery_limit_go_to_the_dead_letters_and_replay_brings_them_back(tmp_path):
    bus = FolderBus(tmp_path, delivery_limit=3)
    bus.declare("q", ["#"])
    bus.publish([message(1)])
    attempts = drain(bus, "q", handle=lambda d: d.retry())
    assert attempts == ["id-1"] * 3
    assert [m.message_id for m in bus.dead_letters("q")] == ["id-1"]
    assert bus.replay("q") == 1
    assert drain(bus, "q") == ["id-1"]
    assert bus.dead_letters("q") == []


def test_publishing_while_the_bus_folder_is_gone_fails_loudly(tmp_path):
    import pytest
    from services.common.bus import BusUnavailable
    bus = FolderBus(tmp_path / "bus")
    with pytest.raises(BusUnavailable):
        bus.publish([message(1)])
    with pytest.raises(BusUnavailable):
        bus.ping()
