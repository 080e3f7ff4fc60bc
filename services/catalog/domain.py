"""Catalog's rules, free of Flask and SQLAlchemy."""
from __future__ import annotations

REQUIRED_EXPERTS = 10
ASSET_REQUIREMENTS = ("logo_light", "logo_dark", "branded_image")


def requirements(approved_experts: int, assets: set[str]) -> dict:
    """Each publish requirement and whether it is met."""
    found = {"experts": {"required": REQUIRED_EXPERTS, "have": approved_experts,
                         "met": approved_experts >= REQUIRED_EXPERTS}}
    for kind in ASSET_REQUIREMENTS:
        found[kind] = {"met": kind in assets}
    return found


def missing(found: dict) -> list[str]:
    return [key for key, value in found.items() if not value["met"]]
