"""Routing keys and the envelope every event travels in."""
import json

import pytest
from marshmallow import Schema, ValidationError, fields

from services.common.bus import Envelope, EventType, topic_matches


@pytest.mark.parametrize("binding,key,matches", [
    ("catalog.page.published", "catalog.page.published", True),
    ("catalog.page.*", "catalog.page.changed", True),
    ("catalog.page.*", "catalog.page", False),
    ("catalog.*", "catalog.page.changed", False),
    ("catalog.#", "catalog.page.changed", True),
    ("catalog.#", "catalog", True),
    ("#", "anything.at.all", True),
    ("#.removed", "catalog.expert.removed", True),
    ("*.expert.*", "catalog.expert.approved", True),
    ("catalog.#.approved", "catalog.approved", True),
    ("catalog.page.published", "catalog.page.unpublished", False),
])
def test_bindings_follow_amqp_topic_rules(binding, key, matches):
    assert topic_matches(binding, key) is matches


class Payload(Schema):
    partner_id = fields.String(required=True)
    count = fields.Integer(required=True)


THING_COUNTED = EventType("test.thing.counted", 1, Payload)


def test_an_event_carries_id_type_version_time_and_payload():
    envelope = Envelope.new(THING_COUNTED, {"partner_id": "p1", "count": 3})
    body = json.loads(envelope.to_message().body)
    assert set(body) == {"event_id", "event_type", "version", "occurred_at", "payload"}
    assert body["event_type"] == "test.thing.counted" and body["version"] == 1
    assert Envelope.from_bytes(envelope.to_message().body) == envelope


def test_a_payload_that_breaks_its_schema_is_never_sent():
    with pytest.raises(ValidationError):
        Envelope.new(THING_COUNTED, {"partner_id": "p1"})
    with pytest.raises(ValidationError):
        Envelope.new(THING_COUNTED, {"partner_id": "p1", "count": 1, "surprise": True})


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"event_id": "x"}', b"[]",
                                  b'{"event_id":"e","event_type":"a.b.c","version":"1",'
                                  b'"occurred_at":"2026-01-01T00:00:00Z","payload":{}}'])
def test_a_malformed_envelope_is_refused(body):
    with pytest.raises((ValueError, ValidationError)):
        Envelope.from_bytes(body)
