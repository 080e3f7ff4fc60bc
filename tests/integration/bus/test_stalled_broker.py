"""A broker connection that stops answering (a half-open connection, a partition) never
holds a consumer or a relay forever: every AMQP call gives up after the bus's I/O timeout,
and the consumer reconnects. The proof suite's first full run found a catalog consumer
stuck for good in a channel open after a connection cut."""
import threading
import time

import pytest

from services.common.bus.amqp import AmqpBus
from services.common.bus.base import Message
from tests.support.faultproxy import FaultProxy
from tests.support.infra import AMQP_HOST, AMQP_PORT

pytestmark = pytest.mark.integration


@pytest.fixture
def stalled_bus(rabbitmq):
    proxy = FaultProxy(AMQP_HOST, AMQP_PORT).start()
    url = rabbitmq.vhost(f"stall{time.monotonic_ns() % 100000}", proxy.port)
    yield AmqpBus(url, io_timeout=2), proxy
    proxy.stop()


def test_opening_a_channel_on_a_connection_that_stopped_answering_gives_up(stalled_bus):
    bus, proxy = stalled_bus
    conn = bus._connect(heartbeat=30)
    proxy.stall(True)
    started = time.monotonic()
    with pytest.raises(Exception):
        conn.channel()
    assert time.monotonic() - started < 6


def test_a_consumer_whose_connection_stalls_comes_back_and_handles_what_was_published(stalled_bus):
    bus, proxy = stalled_bus
    bus.declare("stall-test", ["test.#"])
    handled, stop = [], threading.Event()

    def handle(delivery):
        handled.append(delivery.message.message_id)
        delivery.ack()

    worker = threading.Thread(target=bus.consume, args=("stall-test", handle, stop), daemon=True)
    worker.start()
    bus.publish([Message("test.thing.counted", "m1", b"{}", {})])
    deadline = time.monotonic() + 10
    while "m1" not in handled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "m1" in handled
    proxy.stall(True)
    proxy.cut()  # the consumer reconnects into a connection that accepts and then says nothing
    time.sleep(4)
    proxy.stall(False)
    bus._drop_connection()
    bus.publish([Message("test.thing.counted", "m2", b"{}", {})])
    deadline = time.monotonic() + 40
    while "m2" not in handled and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    worker.join(15)
    assert "m2" in handled and not worker.is_alive()
