"""Talent documents and standings for the eligibility unit tests."""

import copy

from services.eligibility.domain import Standing

A_TALENT_DOCUMENT = {
    "freelancer_id": "fl-000042",
    "name": "Ada Okafor",
    "title": "HubSpot & Email Automation Specialist",
    "skills": ["HubSpot", "Email Automation", "Zapier"],
    "hourly_rate": 85.5,
    "country": "NG",
    "jss": 92,
    "badges": ["top_rated"],
    "account_status": "active",
    "profile_visibility": "public",
    "referred_by_partner_id": None,
    "projects": [
        {"id": "p-1", "title": "Set up HubSpot", "price": 900, "delivery_days": 7}
    ],
    "consultations": [
        {"id": "c-1", "title": "1:1 HubSpot call", "duration_minutes": 60,
         "price": 85.5}
    ],
    "updated_at": "2025-03-01T10:00:00Z",
}


def talent_document(**changes) -> dict:
    """A valid bulk line (as JSON would give it), with `changes` applied."""
    document = copy.deepcopy(A_TALENT_DOCUMENT)
    document.update(changes)
    return document


def standing(
    jss: int = 92,
    account_status: str = "active",
    profile_visibility: str = "public",
    referred_by: str | None = None,
) -> Standing:
    """A standing that meets the criteria unless told otherwise."""
    return Standing(account_status, profile_visibility, jss, referred_by)
