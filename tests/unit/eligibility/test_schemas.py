import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from services.eligibility.schemas import BulkTalentLineSchema, TalentDocumentSchema

from .builders import talent_document


def errors_of(document: dict, schema=BulkTalentLineSchema) -> dict:
    with pytest.raises(ValidationError) as raised:
        schema().load(document)
    return raised.value.messages


def test_a_complete_talent_document_loads_with_exact_money_and_utc_time():
    loaded = BulkTalentLineSchema().load(
        talent_document(hourly_rate=19.99, updated_at="2025-03-01T12:00:00+02:00")
    )

    assert loaded["hourly_rate"] == Decimal("19.99")
    assert loaded["consultations"][0]["price"] == Decimal("85.50")
    assert loaded["updated_at"] == dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone.utc)


def test_a_put_body_may_leave_the_freelancer_id_to_the_path():
    document = talent_document()
    del document["freelancer_id"]

    assert "freelancer_id" not in TalentDocumentSchema().load(document)


def test_a_bulk_line_needs_its_freelancer_id():
    document = talent_document()
    del document["freelancer_id"]

    assert "freelancer_id" in errors_of(document)


def test_empty_lists_and_referral_may_be_left_out():
    document = talent_document()
    optional = (
        "skills", "badges", "projects", "consultations", "referred_by_partner_id"
    )
    for field in optional:
        del document[field]

    loaded = BulkTalentLineSchema().load(document)

    assert loaded["projects"] == [] and loaded["referred_by_partner_id"] is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("jss", 0), ("jss", 100), ("hourly_rate", 0), ("hourly_rate", 10000),
        ("title", ""),
        ("referred_by_partner_id", "7d0e6f3a-1c2b-4e5f-9a8b-0c1d2e3f4a5b"),
        ("badges", ["top_rated_plus", "expert_vetted"]), ("skills", ["S" * 60] * 50),
        ("updated_at", "2025-03-01T10:00:00.123456-05:00"),
    ],
)
def test_values_at_the_limits_are_accepted(field, value):
    BulkTalentLineSchema().load(talent_document(**{field: value}))


@pytest.mark.parametrize(
    "field, value",
    [
        ("jss", -1), ("jss", 101), ("jss", "80"), ("jss", 80.5), ("jss", True),
        ("badges", ["top_rated", "legend"]), ("badges", ["top_rated", "top_rated"]),
        ("hourly_rate", -0.01), ("hourly_rate", 10000.01), ("hourly_rate", "85"),
        ("hourly_rate", None), ("name", ""), ("name", "   "), ("name", "N" * 201),
        ("name", 42), ("title", "T" * 201), ("skills", "Python"), ("skills", [""]),
        ("skills", ["S" * 61]), ("skills", ["Python"] * 51), ("country", "us"),
        ("country", "USA"), ("country", "U1"), ("account_status", "deleted"),
        ("profile_visibility", "hidden"), ("referred_by_partner_id", "p" * 65),
        ("referred_by_partner_id", 7), ("freelancer_id", ""), ("freelancer_id", "fl 1"),
        ("freelancer_id", "f" * 65), ("updated_at", "2025-03-01T10:00:00"),
        ("updated_at", "2025-03-01"), ("updated_at", "1 March 2025"),
        ("updated_at", 1740823200),
    ],
)
def test_bad_values_are_refused_on_their_field(field, value):
    assert field in errors_of(talent_document(**{field: value}))


def test_a_naive_updated_at_is_refused_as_such():
    messages = errors_of(talent_document(updated_at="2025-03-01T10:00:00"))

    assert messages["updated_at"] == ["Not a valid aware datetime."]


def test_an_unknown_field_is_refused():
    assert errors_of(talent_document(rating=5)) == {"rating": ["Unknown field."]}


@pytest.mark.parametrize(
    "field", ["name", "title", "hourly_rate", "country", "jss", "updated_at"]
)
def test_a_missing_required_field_is_refused(field):
    document = talent_document()
    del document[field]

    assert field in errors_of(document)


@pytest.mark.parametrize(
    "project",
    [
        {"id": "", "title": "x", "price": 1, "delivery_days": 1},
        {"title": "x", "price": 1, "delivery_days": 1},
        {"id": "p-2", "title": "x", "price": -1, "delivery_days": 1},
        {"id": "p-2", "title": "x", "price": 1, "delivery_days": 0},
        {"id": "p-2", "title": "x", "price": 1, "delivery_days": 366},
        {"id": "p-2", "title": "x", "price": 1, "delivery_days": 3, "tags": []},
    ],
)
def test_bad_projects_are_refused(project):
    messages = errors_of(talent_document(projects=[project]))

    assert "projects" in messages


@pytest.mark.parametrize("minutes", [14, 481, 30.5])
def test_consultations_last_between_15_minutes_and_8_hours(minutes):
    consultation = {
        "id": "c-2", "title": "Call", "duration_minutes": minutes, "price": 0
    }

    assert "consultations" in errors_of(talent_document(consultations=[consultation]))


def test_offering_ids_are_unique_within_each_list():
    project = {"id": "x-1", "title": "x", "price": 1, "delivery_days": 1}
    consultation = {"id": "x-1", "title": "Call", "duration_minutes": 30, "price": 1}

    assert "projects" in errors_of(talent_document(projects=[project, project]))
    BulkTalentLineSchema().load(
        talent_document(projects=[project], consultations=[consultation])
    )
