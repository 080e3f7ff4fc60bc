"""Page content as catalog describes it in its events (docs/events.md)."""
from __future__ import annotations


def page_content(name: str = "Acme Analytics", slug: str = "acme", partner_id: str = "p-1") -> dict:
    return {
        "partner": {"id": partner_id, "name": name, "slug": slug},
        "assets": {"logo_light": None, "logo_dark": None, "branded_image": None},
        "use_cases": [{
            "id": "uc-1", "name": "Email Automation", "description": "Campaigns that run themselves.",
            "position": 0,
            "experts": [{"freelancer_id": "fl-1", "name": "Grace Hopper", "title": "Automation engineer",
                         "jss": 97, "badges": ["top_rated_plus", "expert_vetted"], "hourly_rate": 120.0,
                         "skills": ["HubSpot", "Zapier"], "country": "US"}],
            "projects": [{"id": "of-1", "freelancer_id": "fl-1", "freelancer_name": "Grace Hopper",
                          "offering_id": "pr-1", "title": "Welcome series setup", "price": 900,
                          "delivery_days": 5}],
            "consultations": [{"id": "of-2", "freelancer_id": "fl-1", "freelancer_name": "Grace Hopper",
                               "offering_id": "co-1", "title": "Deliverability review",
                               "duration_minutes": 60, "price": 150}],
        }],
        "updated_at": "2026-11-28T10:00:00Z",
    }
