"""The envelope every event travels in, and how a service declares its event types."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from marshmallow import RAISE, Schema, fields, validate

from .base import Message


class EnvelopeSchema(Schema):
    """``event_id``, ``event_type``, ``version``, ``occurred_at`` and the publisher's payload."""

    class Meta:
        unknown = RAISE

    event_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    event_type = fields.String(required=True, validate=validate.Length(min=3, max=120))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    payload = fields.Dict(required=True)


@dataclass(frozen=True)
class EventType:
    """A fact a service publishes: its routing key, schema version and payload schema."""

    name: str
    version: int
    schema: type[Schema]

    def validate(self, payload: dict) -> dict:
        """The payload as it will be sent (plain JSON values); raises marshmallow.ValidationError
        when it breaks the schema."""
        plain = json_ready(payload)
        _schema_of(self.schema).load(plain)
        return plain


_SCHEMAS: dict = {}


def _schema_of(schema_class: type[Schema]) -> Schema:
    """One instance per payload schema: building a marshmallow schema costs more than using it."""
    if schema_class not in _SCHEMAS:
        _SCHEMAS[schema_class] = schema_class()
    return _SCHEMAS[schema_class]


def json_ready(value):
    """``value`` with times as RFC 3339 strings and money as numbers: plain JSON values."""
    return json.loads(json.dumps(value, default=_plain))


def _plain(value):
    """JSON for the values payloads carry besides the JSON types: times and money."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    version: int
    occurred_at: datetime
    payload: dict

    @classmethod
    def new(cls, event_type: EventType, payload: dict) -> "Envelope":
        return cls(str(uuid.uuid4()), event_type.name, event_type.version,
                   datetime.now(timezone.utc), event_type.validate(payload))

    @classmethod
    def from_bytes(cls, body: bytes) -> "Envelope":
        """Parse and validate; raises ValueError or marshmallow.ValidationError."""
        data = EnvelopeSchema().load(json.loads(body))
        return cls(**data)

    def to_message(self) -> Message:
        body = json.dumps({
            "event_id": self.event_id, "event_type": self.event_type, "version": self.version,
            "occurred_at": self.occurred_at.isoformat(), "payload": self.payload,
        }, separators=(",", ":")).encode()
        return Message(self.event_type, self.event_id, body, {"event_type": self.event_type})
