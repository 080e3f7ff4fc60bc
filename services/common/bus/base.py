"""The bus interface: one topic exchange, durable queues, at-least-once delivery.

Two backends implement it: RabbitMQ (``AmqpBus``) and a broker-free folder
shared by the processes of one machine (``FolderBus``). Both pass the same
no-loss suite (tests/integration/bus).
"""
from __future__ import annotations

import abc
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

EXCHANGE = "portal.events"


class BusUnavailable(Exception):
    """The bus could not take or confirm a message; the caller keeps it and retries."""


@dataclass(frozen=True)
class Message:
    """One event on the wire: its routing key (the event type), id and JSON body."""

    routing_key: str
    message_id: str
    body: bytes
    headers: dict = field(default_factory=dict)


class Delivery(abc.ABC):
    """A message handed to a consumer; exactly one of ack or retry must follow."""

    message: Message
    delivery_count: int

    @abc.abstractmethod
    def ack(self) -> None:
        """Handled: the bus forgets the message."""

    @abc.abstractmethod
    def retry(self) -> None:
        """Not handled: deliver again later, or dead-letter it past the delivery limit."""


class Bus(abc.ABC):
    """What the outbox relay and the consumers need from a message bus."""

    delivery_limit: int = 5

    @abc.abstractmethod
    def declare(self, queue: str, bindings: list[str]) -> None:
        """Create a durable queue bound to these routing-key patterns, with its dead-letter queue."""

    @abc.abstractmethod
    def publish(self, messages: list[Message]) -> None:
        """Return only when the bus has durably taken every message; else raise BusUnavailable."""

    @abc.abstractmethod
    def consume(self, queue: str, handle: Callable[[Delivery], None], stop: threading.Event,
                prefetch: int = 10) -> None:
        """Call ``handle`` for each delivery until ``stop`` is set; reconnects on its own."""

    @abc.abstractmethod
    def dead_letters(self, queue: str, limit: int = 100) -> list[Message]:
        """The messages dead-lettered from ``queue``, oldest first, left in place."""

    @abc.abstractmethod
    def replay(self, queue: str, message_ids: list[str] | None = None) -> int:
        """Put dead-lettered messages (all, or these ids) back on ``queue``; the count moved."""

    @abc.abstractmethod
    def depth(self, queue: str) -> int:
        """How many messages wait in ``queue`` (not counting those being handled)."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise BusUnavailable when the bus cannot be reached."""

    def close(self) -> None:
        """Release connections."""


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dead"


def topic_matches(binding: str, routing_key: str) -> bool:
    """AMQP topic semantics: ``*`` is exactly one word, ``#`` zero or more."""
    return _match(tuple(binding.split(".")), tuple(routing_key.split(".")))


@lru_cache(maxsize=4096)
def _match(binding: tuple, key: tuple) -> bool:
    if not binding:
        return not key
    head, rest = binding[0], binding[1:]
    if head == "#":
        return any(_match(rest, key[i:]) for i in range(len(key) + 1))
    return bool(key) and head in ("*", key[0]) and _match(rest, key[1:])
