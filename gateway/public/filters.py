"""The visitor's filters of a public page (API.md second round, "Public pages" and its
details): ``q``, ``skill``, ``country``, ``max_rate``, ``badge``, ``available``. Pure: a page's
content in, the content a visitor asked for out. Comparisons fold case and accents the way
the partner's talent search does (NFKC, case folding, no combining marks)."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

BADGES = ("top_rated", "top_rated_plus", "expert_vetted", "rising_talent")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
MAX_TEXT = 200
YES = ("true", "1", "on", "yes")


def fold(text: str) -> str:
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@dataclass(frozen=True)
class Filters:
    """What the visitor asked for; each field None when not asked."""

    q: str | None = None
    skill: str | None = None
    country: str | None = None
    max_rate: float | None = None
    badge: str | None = None
    available: bool = False

    def active(self) -> bool:
        return any((self.q, self.skill, self.country, self.max_rate is not None, self.badge, self.available))

    def key(self) -> str:
        """A stable text of the filters, for caches and ETags."""
        return "|".join(str(v) for v in (self.q, self.skill, self.country, self.max_rate, self.badge, self.available))


def parse(args) -> tuple[Filters, dict[str, str]]:
    """The filters of a query (a mapping of str to str) and the errors of values that are not
    filters (``{parameter: why}``); a bad value is left out of the filters. Other parameters
    are ignored."""
    errors: dict[str, str] = {}

    def text(name: str) -> str | None:
        value = " ".join((args.get(name) or "").split())
        if len(value) > MAX_TEXT:
            errors[name] = f"At most {MAX_TEXT} characters."
            return None
        return value or None

    q, skill = text("q"), text("skill")
    country = (args.get("country") or "").strip() or None
    if country and not COUNTRY.match(country):
        errors["country"], country = "A two-letter country code.", None
    badge = (args.get("badge") or "").strip() or None
    if badge and badge not in BADGES:
        errors["badge"], badge = f"One of {', '.join(BADGES)}.", None
    max_rate = None
    raw_rate = (args.get("max_rate") or "").strip()
    if raw_rate:
        try:
            max_rate = float(raw_rate)
        except ValueError:
            max_rate = None
        if max_rate is None or not math.isfinite(max_rate) or max_rate < 0:
            errors["max_rate"], max_rate = "A number of dollars, 0 or more.", None
    available = (args.get("available") or "").strip().lower() in YES
    return Filters(q, skill, country.upper() if country else None, max_rate, badge, available), errors


def expert_matches(expert: dict, f: Filters) -> bool:
    if f.available and expert.get("availability") != "available_now":
        return False
    if f.badge and f.badge not in (expert.get("badges") or []):
        return False
    if f.country and (expert.get("country") or "").upper() != f.country:
        return False
    if f.max_rate is not None and float(expert.get("hourly_rate") or 0) > f.max_rate:
        return False
    skills = [fold(s) for s in expert.get("skills") or []]
    if f.skill and fold(f.skill) not in skills:
        return False
    if f.q:
        haystack = " ".join([fold(expert.get("name") or ""), fold(expert.get("title") or ""), *skills])
        if not all(word in haystack for word in fold(f.q).split()):
            return False
    return True


def apply(page: dict, f: Filters) -> dict:
    """The page with only the experts that match, the offerings of those experts, and the use
    cases left with something to show; the page itself when nothing is asked."""
    if not f.active():
        return page
    use_cases = []
    for use_case in page.get("use_cases", []):
        experts = [e for e in use_case.get("experts", []) if expert_matches(e, f)]
        kept = {e["freelancer_id"] for e in experts}
        projects = [o for o in use_case.get("projects", []) if o.get("freelancer_id") in kept]
        consultations = [o for o in use_case.get("consultations", []) if o.get("freelancer_id") in kept]
        if experts:
            use_cases.append({**use_case, "experts": experts, "projects": projects, "consultations": consultations})
    return {**page, "use_cases": use_cases}


def choices(page: dict) -> dict:
    """What the filter form offers: the page's skills and countries, sorted."""
    experts = [e for uc in page.get("use_cases", []) for e in uc.get("experts", [])]
    skills = sorted({s for e in experts for s in e.get("skills") or []}, key=fold)
    countries = sorted({(e.get("country") or "").upper() for e in experts if e.get("country")})
    return {"skills": skills, "countries": countries}
