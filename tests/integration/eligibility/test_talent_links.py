"""The talent document's optional links and availability (API.md second round, "Talent
document: new optional fields"): https only, carried to catalog in the profile events of a
PUT and of a bulk batch."""
from __future__ import annotations

import pytest

from tests.integration.eligibility.test_bulk_batches import upload
import json

from tests.integration.eligibility.test_talent_and_verdicts import _drain, put, talent

pytestmark = pytest.mark.integration
LINKS = {"profile_url": "https://www.upwork.com/freelancers/~01abc", "photo_url": "https://img.example.com/ada.jpg",
         "availability": "available_soon"}


def with_links(**changes) -> dict:
    doc = talent(**{**LINKS, **changes})
    doc["projects"][0]["url"] = "https://www.upwork.com/services/product/setup-1"
    doc["consultations"][0]["url"] = "https://www.upwork.com/consultations/review-1"
    return doc


def test_links_and_availability_travel_to_catalog_from_a_put_and_from_a_bulk_line(app, client):
    assert put(client, "fl-1", with_links()).status_code == 201
    upload(client, [{"freelancer_id": "fl-2", **with_links(availability="not_available")},
                    {"freelancer_id": "fl-3", **talent()}])
    events = [json.loads(m.body) for m in _drain(app)]
    [single] = [e["payload"] for e in events if e["event_type"] == "eligibility.profile.updated"]
    assert {k: single[k] for k in LINKS} == LINKS
    assert single["projects"][0]["url"] == "https://www.upwork.com/services/product/setup-1"
    assert single["consultations"][0]["url"] == "https://www.upwork.com/consultations/review-1"
    [batch] = [e["payload"] for e in events if e["event_type"] == "eligibility.profiles.updated"]
    profiles = {p["freelancer_id"]: p for p in batch["profiles"]}
    assert profiles["fl-2"]["availability"] == "not_available"
    assert profiles["fl-3"]["profile_url"] is None and profiles["fl-3"]["availability"] is None

def test_other_schemes_and_unknown_availability_are_422_and_bad_bulk_lines_are_rejected(client):
    for changes in ({"profile_url": "http://www.upwork.com/freelancers/~01"}, {"photo_url": "javascript:alert(1)"},
                    {"photo_url": "data:image/png;base64,AAAA"}, {"availability": "maybe"},
                    {"profile_url": "https://"}, {"profile_url": "https://x.example/" + "a" * 2000}):
        answer = put(client, "fl-9", talent(**changes))
        assert answer.status_code == 422, changes
        assert set(answer.get_json()["errors"]) == set(changes)
    doc = talent()
    doc["projects"][0]["url"] = "ftp://files.example.com/p"
    assert put(client, "fl-9", doc).status_code == 422
    result = upload(client, [{"freelancer_id": "fl-8", **talent(photo_url="http://img.example.com/a.jpg")}])
    assert result["rejected"][0]["line"] == 1 and result["rejected"][0]["code"] == "validation_error"
