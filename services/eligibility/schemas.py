"""marshmallow schemas of the talent document (API.md, "Talent document").

Loading gives plain Python values: money as `Decimal` quantized to cents
(exact, and safe for a NUMERIC column), `updated_at` as an aware datetime
in UTC. Unknown fields are refused everywhere (marshmallow's default RAISE).
"""

import datetime as dt
import decimal
import re

from marshmallow import Schema, ValidationError, fields, validate

from services.common.openapi import DNS_LABEL, NOT_BLANK, PORT, Pattern

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
BADGES = ("top_rated", "top_rated_plus", "expert_vetted", "rising_talent")
ACCOUNT_STATUSES = ("active", "suspended")
PROFILE_VISIBILITIES = ("public", "private")
ALPHA2_ERROR = "Must be an ISO 3166-1 alpha-2 code (two uppercase letters)."
MAX_SKILLS = 50
MAX_OFFERINGS = 100
MAX_RATE = decimal.Decimal("10000")
MAX_PRICE = decimal.Decimal("1000000")
AVAILABILITIES = ("available_now", "available_soon", "not_available")
MAX_URL = 2000

# RFC 3339 section 5.6 date-time: "T" or "t" (or a space, section 5.6's note), seconds up to 60
# (a leap second), a fraction of any length, "Z", "z" or a numeric offset ("-00:00" included)
_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d+))?(?:[Zz]|(?P<sign>[+-])(?P<off_hour>\d{2}):(?P<off_minute>\d{2}))"
)

_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?")


def parse_rfc3339(text: str) -> dt.datetime:
    """An RFC 3339 date-time as an aware datetime in UTC; ValueError if it is not one.
    A leap second (``:60``) reads as the last instant of second 59 (API.md, "Changed rules");
    a fraction beyond microseconds is cut, never rounded up into the next second."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError("not an RFC 3339 date-time")
    second, fraction = int(match["second"]), (match["fraction"] or "")[:6].ljust(6, "0")
    if second == 60:
        second, fraction = 59, "999999"
    offset = dt.timedelta(hours=int(match["off_hour"] or 0), minutes=int(match["off_minute"] or 0))
    if offset >= dt.timedelta(hours=24) or int(match["off_minute"] or 0) > 59:
        raise ValueError("offset out of range")
    local = dt.datetime.combine(dt.date.fromisoformat(match["date"]),
                                dt.time(int(match["hour"]), int(match["minute"]), second, int(fraction)))
    return (local - offset if match["sign"] == "+" else local + offset).replace(tzinfo=dt.timezone.utc)


class Money(fields.Decimal):
    """A JSON number (never a string or a boolean) loaded as Decimal cents."""

    def __init__(self, maximum: decimal.Decimal, **kwargs):
        super().__init__(
            places=2,
            rounding=decimal.ROUND_HALF_UP,
            as_string=False,
            validate=validate.Range(min=0, max=maximum),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (int, float, decimal.Decimal)) or isinstance(
            value, bool
        ):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Rfc3339DateTime(fields.AwareDateTime):
    """An RFC 3339 date-time with an offset, loaded as an aware UTC datetime (``parse_rfc3339``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        try:
            return parse_rfc3339(value)
        except (ValueError, OverflowError):  # a field out of range, or beyond year 1..9999 in UTC
            if _NAIVE.fullmatch(value):  # a date-time without its offset: say so
                raise self.make_error("invalid_awareness", awareness="aware", obj_type=self.OBJ_TYPE) from None
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None


def _identifier(**kwargs) -> fields.String:
    return fields.String(
        validate=[validate.Length(1, 64), Pattern(ID_PATTERN)],
        **kwargs,
    )


# https, a DNS name with a top-level domain, an optional port, then visible ASCII only (a URL's
# other characters travel percent-encoded): what the document says is what is enforced
HTTPS_URL = rf"^https://(?:{DNS_LABEL}\.)+[A-Za-z][A-Za-z0-9-]{{0,62}}(?::{PORT})?(?:[/?#][\x21-\x7e]*)?$"


def _https_url(**kwargs) -> fields.String:
    """An absolute https URL (API.md second round, "Talent document: new optional fields"):
    any other scheme is 422; absent means unknown."""
    return fields.String(validate=[validate.Length(max=MAX_URL),
                                   Pattern(HTTPS_URL, error="Must be an https URL (https://host/path).")],
                         **kwargs)


def _text(minimum: int, maximum: int, **kwargs) -> fields.String:
    checks = [validate.Length(minimum, maximum)]
    if minimum:
        checks.append(Pattern(NOT_BLANK, error="Must not be blank."))
    return fields.String(validate=checks, **kwargs)


def _unique(values: list) -> None:
    if len(values) != len(set(values)):
        raise ValidationError("Must not contain duplicates.")


def _unique_ids(offerings: list[dict]) -> None:
    ids = [offering["id"] for offering in offerings]
    if len(ids) != len(set(ids)):
        raise ValidationError("Offering ids must be unique.")


class ProjectSchema(Schema):
    """A fixed-price project the freelancer publishes."""

    id = _identifier(required=True)
    title = _text(1, 200, required=True)
    price = Money(MAX_PRICE, required=True)
    delivery_days = fields.Integer(
        strict=True, required=True, validate=validate.Range(1, 365)
    )
    url = _https_url(metadata={"description": "where a client buys the project"})


class ConsultationSchema(Schema):
    """A 1-on-1 session the freelancer publishes."""

    id = _identifier(required=True)
    title = _text(1, 200, required=True)
    duration_minutes = fields.Integer(
        strict=True, required=True, validate=validate.Range(15, 480)
    )
    price = Money(MAX_PRICE, required=True)
    url = _https_url(metadata={"description": "where a client books the consultation"})


def _offerings(schema: type[Schema]) -> fields.List:
    return fields.List(
        fields.Nested(schema),
        load_default=list,
        validate=[validate.Length(max=MAX_OFFERINGS), _unique_ids],
    )


class TalentDocumentSchema(Schema):
    """A freelancer's profile and standing, as pushed to PUT /internal/v1/talent/<id>.

    `freelancer_id` is optional here: the PUT path supplies it.
    """

    freelancer_id = _identifier()
    name = _text(1, 200, required=True)
    title = _text(0, 200, required=True)
    skills = fields.List(
        _text(1, 60), load_default=list, validate=validate.Length(max=MAX_SKILLS)
    )
    hourly_rate = Money(MAX_RATE, required=True)
    country = fields.String(
        required=True,
        validate=Pattern(r"^[A-Z]{2}$", error=ALPHA2_ERROR),
    )
    jss = fields.Integer(strict=True, required=True, validate=validate.Range(0, 100))
    badges = fields.List(
        fields.String(validate=validate.OneOf(BADGES)),
        load_default=list,
        validate=_unique,
        metadata={"uniqueItems": True},
    )
    account_status = fields.String(
        required=True, validate=validate.OneOf(ACCOUNT_STATUSES)
    )
    profile_visibility = fields.String(
        required=True, validate=validate.OneOf(PROFILE_VISIBILITIES)
    )
    referred_by_partner_id = _identifier(allow_none=True, load_default=None)
    projects = _offerings(ProjectSchema)
    consultations = _offerings(ConsultationSchema)
    profile_url = _https_url(metadata={"description": "the freelancer's marketplace profile"})
    photo_url = _https_url(metadata={"description": "a square photo of the freelancer"})
    availability = fields.String(validate=validate.OneOf(AVAILABILITIES))
    updated_at = Rfc3339DateTime(required=True)


class BulkTalentLineSchema(TalentDocumentSchema):
    """One line of POST /internal/v1/talent:bulk: a talent document with its id."""

    freelancer_id = _identifier(required=True)
