"""Catalog's rules, free of Flask and SQLAlchemy."""
from __future__ import annotations

PENDING, APPROVED, DECLINED, REMOVED = "pending", "approved", "declined", "removed"
STATUSES = (PENDING, APPROVED, DECLINED, REMOVED)
REQUIRED_EXPERTS = 10
ASSET_REQUIREMENTS = ("logo_light", "logo_dark", "branded_image")
MAX_SAVE = 500


def requirements(approved_experts: int, assets: set[str]) -> dict:
    """Each publish requirement and whether it is met."""
    found = {"experts": {"required": REQUIRED_EXPERTS, "have": approved_experts,
                         "met": approved_experts >= REQUIRED_EXPERTS}}
    for kind in ASSET_REQUIREMENTS:
        found[kind] = {"met": kind in assets}
    return found


def missing(found: dict) -> list[str]:
    return [key for key, value in found.items() if not value["met"]]


def warnings(published: bool, found: dict) -> list[dict]:
    """A published page that fell below a requirement stays up; the partner is told."""
    if not published:
        return []
    return [{"code": "requirement_unmet", "requirement": key,
             "detail": _detail(key, found[key])} for key in missing(found)]


def _detail(key: str, requirement: dict) -> str:
    if key == "experts":
        return (f"The page has {requirement['have']} approved experts; "
                f"{requirement['required']} are required to publish.")
    return f"The {key.replace('_', ' ')} is missing."


def name_key(name: str) -> str:
    """Use case names are unique per partner ignoring case and surrounding spaces."""
    return " ".join(name.split()).casefold()


def after_save(status: str | None) -> str:
    """"Save changes": new, declined or removed freelancers become pending; others stay."""
    return status if status in (PENDING, APPROVED) else PENDING
