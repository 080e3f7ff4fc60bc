"""Catalog's rules, free of Flask and SQLAlchemy."""
from __future__ import annotations

from slugify import slugify

PENDING, APPROVED, DECLINED, REMOVED = "pending", "approved", "declined", "removed"
STATUSES = (PENDING, APPROVED, DECLINED, REMOVED)
REQUIRED_EXPERTS = 10
ASSET_REQUIREMENTS = ("logo_light", "logo_dark", "branded_image")
MAX_SAVE = 500
MAX_DECIDE = 200  # experts:decide, approvals and declines together (API.md)


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


USE_CASE_SLUG_CHARS = 60  # the gateway's slug pattern: [a-z0-9] and inner hyphens, at most 60
FALLBACK_SLUG = "use-case"


def slug_of(name: str) -> str:
    """A use case's URL slug from its name (API.md second round, "Public pages"): lowercase
    ASCII letters, digits and hyphens, other scripts transliterated (python-slugify with
    text-unidecode), at most 60 characters; ``use-case`` when nothing of the name is left."""
    return slugify(name, max_length=USE_CASE_SLUG_CHARS, word_boundary=True) or FALLBACK_SLUG


def numbered_slug(slug: str, n: int) -> str:
    """The ``n``th candidate for a slug that is taken: ``slug-2``, ``slug-3``, ... within 60."""
    suffix = f"-{n}"
    return slug[:USE_CASE_SLUG_CHARS - len(suffix)].rstrip("-") + suffix
