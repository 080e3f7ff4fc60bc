"""RabbitMQ through kombu: quorum queues, a dead-letter exchange, publisher confirms."""
from __future__ import annotations

import socket
import threading
from typing import Callable

import structlog
from kombu import Connection, Exchange, Producer, Queue, binding
from kombu import Consumer as KombuConsumer

from .base import EXCHANGE, Bus, BusUnavailable, Delivery, Message, dead_letter_queue

log = structlog.get_logger("bus")
DEAD_LETTER_EXCHANGE = "portal.dead"
RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2}


class AmqpDelivery(Delivery):
    def __init__(self, kombu_message):
        props, info = kombu_message.properties, kombu_message.delivery_info
        headers = dict(kombu_message.headers or {})
        self._raw = kombu_message
        self.delivery_count = int(headers.get("x-delivery-count", 0))
        body = kombu_message.body
        self.message = Message(headers.get("event_type") or info.get("routing_key", ""),
                               props.get("message_id", ""),
                               body if isinstance(body, bytes) else body.encode(), headers)

    def ack(self) -> None:
        self._raw.ack()

    def retry(self) -> None:
        # quorum queues count the return; past x-delivery-limit they dead-letter it
        self._raw.reject(requeue=True)


class AmqpBus(Bus):
    """One topic exchange ``portal.events``; a quorum queue and ``<queue>.dead`` per consumer."""

    def __init__(self, url: str, delivery_limit: int = 5, connect_timeout: float = 3.0, io_timeout: float = 10.0):
        self.url, self.delivery_limit, self.connect_timeout = url, delivery_limit, connect_timeout
        self.io_timeout = io_timeout  # no AMQP call (channel open, confirm, close) waits longer
        self.exchange = Exchange(EXCHANGE, "topic", durable=True)
        self.dead_exchange = Exchange(DEAD_LETTER_EXCHANGE, "direct", durable=True)
        self._lock = threading.Lock()
        self._conn: Connection | None = None

    def _connect(self, heartbeat: int = 0) -> Connection:
        conn = Connection(self.url, heartbeat=heartbeat, connect_timeout=self.connect_timeout,
                          transport_options={"confirm_publish": True, "read_timeout": self.io_timeout,
                                             "write_timeout": self.io_timeout})
        try:
            conn.ensure_connection(max_retries=1)
        except Exception as exc:
            conn.release()
            raise BusUnavailable(f"broker unreachable: {exc}") from exc
        return conn

    def _queues(self, queue: str, bindings: list[str]) -> tuple[Queue, Queue]:
        dead = Queue(dead_letter_queue(queue), self.dead_exchange, routing_key=queue, durable=True,
                     queue_arguments={"x-queue-type": "quorum"})
        main = Queue(queue, bindings=[binding(self.exchange, routing_key=b) for b in bindings],
                     durable=True, queue_arguments={
                         "x-queue-type": "quorum",
                         "x-delivery-limit": self.delivery_limit,
                         "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                         "x-dead-letter-routing-key": queue,
                         "x-dead-letter-strategy": "at-least-once",
                         "x-overflow": "reject-publish",
                     })
        return main, dead

    def declare(self, queue: str, bindings: list[str]) -> None:
        conn = self._connect()
        try:
            channel = conn.channel()
            self.exchange(channel).declare()
            self.dead_exchange(channel).declare()
            main, dead = self._queues(queue, bindings)
            dead(channel).declare()
            main(channel).declare()
        finally:
            conn.release()

    def publish(self, messages: list[Message]) -> None:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                producer = Producer(self._conn.default_channel, exchange=self.exchange)
                for m in messages:
                    producer.publish(m.body, routing_key=m.routing_key, message_id=m.message_id,
                                     headers=m.headers, content_type="application/json",
                                     content_encoding="utf-8", delivery_mode=2)
            except BusUnavailable:
                raise
            except Exception as exc:  # connection, channel or confirm failure: keep the rows
                self._drop_connection()
                raise BusUnavailable(f"publish failed: {exc!r}") from exc

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception:
                pass
            self._conn = None

    def consume(self, queue: str, handle: Callable[[Delivery], None], stop: threading.Event,
                prefetch: int = 10) -> None:
        while not stop.is_set():
            try:
                self._consume_until_failure(queue, handle, stop, prefetch)
            except BusUnavailable as exc:
                log.warning("broker unavailable, reconnecting", error=str(exc))
                stop.wait(1.0)
            except Exception as exc:
                log.warning("consumer connection lost, reconnecting", error=repr(exc))
                stop.wait(1.0)

    def _consume_until_failure(self, queue, handle, stop, prefetch) -> None:
        conn = self._connect(heartbeat=30)
        try:
            channel = conn.channel()
            channel.basic_qos(0, prefetch, False)
            consumer = KombuConsumer(channel, queues=[Queue(queue, no_declare=True)],
                                     on_message=lambda raw: handle(AmqpDelivery(raw)),
                                     prefetch_count=prefetch)
            with consumer:
                while not stop.is_set():
                    try:
                        conn.drain_events(timeout=0.5)
                    except socket.timeout:
                        conn.heartbeat_check()
        finally:
            try:
                conn.release()
            except Exception:
                pass

    def dead_letters(self, queue: str, limit: int = 100) -> list[Message]:
        conn = self._connect()
        try:
            channel = conn.channel()
            dead = Queue(dead_letter_queue(queue), no_declare=True)(channel)
            found = []
            while len(found) < limit:
                raw = dead.get(no_ack=False)
                if raw is None:
                    break
                found.append(AmqpDelivery(raw).message)
            return found  # unacked: closing the channel returns them
        finally:
            conn.release()

    def replay(self, queue: str, message_ids: list[str] | None = None) -> int:
        conn = self._connect()
        moved = 0
        try:
            channel = conn.channel()
            dead = Queue(dead_letter_queue(queue), no_declare=True)(channel)
            producer = Producer(conn.channel(), exchange=Exchange(""))
            while True:
                raw = dead.get(no_ack=False)
                if raw is None:
                    break
                delivery = AmqpDelivery(raw)
                if message_ids is not None and delivery.message.message_id not in message_ids:
                    continue
                headers = {k: v for k, v in delivery.message.headers.items() if not k.startswith("x-")}
                producer.publish(raw.body, routing_key=queue, message_id=delivery.message.message_id,
                                 headers=headers, content_type="application/json",
                                 content_encoding="utf-8", delivery_mode=2)
                raw.ack()
                moved += 1
        finally:
            conn.release()
        return moved

    def depth(self, queue: str) -> int:
        conn = self._connect()
        try:
            _, count, _ = Queue(queue, no_declare=True)(conn.channel()).queue_declare(passive=True)
            return count
        finally:
            conn.release()

    def ping(self) -> None:
        self._connect().release()

    def close(self) -> None:
        with self._lock:
            self._drop_connection()
