"""The event bus: ``connect_bus(config)`` picks RabbitMQ or the folder bus."""
from __future__ import annotations

from .base import EXCHANGE, Bus, BusUnavailable, Delivery, Message, dead_letter_queue, topic_matches
from .envelope import Envelope, EnvelopeSchema, EventType


def connect_bus(config) -> Bus:
    """RabbitMQ when ``BROKER_URL`` is set, else the broker-free folder bus under the data folder."""
    if config.broker_url:
        from .amqp import AmqpBus
        return AmqpBus(config.broker_url, delivery_limit=config.delivery_limit)
    from .folder import FolderBus
    return FolderBus(config.bus_dir, delivery_limit=config.delivery_limit)


__all__ = ["EXCHANGE", "Bus", "BusUnavailable", "Delivery", "Envelope", "EnvelopeSchema",
           "EventType", "Message", "connect_bus", "dead_letter_queue", "topic_matches"]
