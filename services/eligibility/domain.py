"""The eligibility criteria: the one place where they are written down.

A freelancer may be (and stay) an approved expert on a partner's page when
their account is active, their profile is public and their Job Success Score
is at least the threshold, except that a JSS of 0 (a new freelancer) passes
for the partner who referred them. Other services act on these verdicts and
never re-implement them.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

ACCOUNT_SUSPENDED = "account_suspended"
JSS_BELOW_THRESHOLD = "jss_below_threshold"
PROFILE_PRIVATE = "profile_private"
AT_RISK = "at_risk"
REASONS = (ACCOUNT_SUSPENDED, JSS_BELOW_THRESHOLD, PROFILE_PRIVATE)


@dataclass(frozen=True)
class Criteria:
    """What an expert must meet; `at_risk_margin` flags JSS just above the bar."""

    jss_threshold: int = 80
    referral_exception: bool = True
    at_risk_margin: int = 5


DEFAULT_CRITERIA = Criteria()


@dataclass(frozen=True)
class Standing:
    """The parts of a talent document that the criteria look at."""

    account_status: str
    profile_visibility: str
    jss: int
    referred_by_partner_id: str | None = None

    @classmethod
    def of(cls, talent: Mapping[str, Any]) -> "Standing":
        """The standing of a (validated) talent document."""
        return cls(
            account_status=talent["account_status"],
            profile_visibility=talent["profile_visibility"],
            jss=talent["jss"],
            referred_by_partner_id=talent.get("referred_by_partner_id"),
        )


@dataclass(frozen=True)
class Verdict:
    """Whether a freelancer meets the criteria, and if not, why (in REASONS order)."""

    eligible: bool
    reasons: tuple[str, ...]
    at_risk: bool

    def as_record(self) -> dict:
        """A JSON-ready form: `{eligible, reasons: [..], at_risk}`."""
        return {
            "eligible": self.eligible,
            "reasons": list(self.reasons),
            "at_risk": self.at_risk,
        }


def evaluate(
    standing: Standing, partner_id: str | None, criteria: Criteria = DEFAULT_CRITERIA
) -> Verdict:
    """The verdict for one partner; `partner_id=None` gives the general verdict."""
    failed = {
        ACCOUNT_SUSPENDED: standing.account_status != "active",
        JSS_BELOW_THRESHOLD: not _jss_passes(standing, partner_id, criteria),
        PROFILE_PRIVATE: standing.profile_visibility != "public",
    }
    reasons = tuple(reason for reason in REASONS if failed[reason])
    at_risk = not reasons and _jss_near_threshold(standing.jss, criteria)
    return Verdict(eligible=not reasons, reasons=reasons, at_risk=at_risk)


def _jss_passes(standing: Standing, partner_id: str | None, criteria: Criteria) -> bool:
    return standing.jss >= criteria.jss_threshold or _referral_applies(
        standing, partner_id, criteria
    )


def _referral_applies(
    standing: Standing, partner_id: str | None, criteria: Criteria
) -> bool:
    return (
        criteria.referral_exception
        and standing.jss == 0
        and partner_id is not None
        and standing.referred_by_partner_id == partner_id
    )


def _jss_near_threshold(jss: int, criteria: Criteria) -> bool:
    threshold = criteria.jss_threshold
    return threshold <= jss < threshold + criteria.at_risk_margin


def general_verdict(
    standing: Standing, criteria: Criteria = DEFAULT_CRITERIA
) -> Verdict:
    """The verdict for any partner that did not refer the freelancer."""
    return evaluate(standing, None, criteria)


def referral_partners(
    standing: Standing, criteria: Criteria = DEFAULT_CRITERIA
) -> list[str]:
    """Partners for which the freelancer is eligible although the general verdict
    refuses them: the referring partner of an otherwise eligible JSS-0 freelancer.
    """
    partner_id = standing.referred_by_partner_id
    if partner_id is None or general_verdict(standing, criteria).eligible:
        return []
    return [partner_id] if evaluate(standing, partner_id, criteria).eligible else []


@dataclass(frozen=True)
class VerdictChange:
    """A change of verdict for a history record: `before` is None for a new freelancer.

    `rules` lists each rule that flipped (`at_risk` included) as
    `{"rule", "before", "after"}`, the last two holding the standing values
    the rule looked at.
    """

    partner_id: str | None
    before: Verdict | None
    after: Verdict
    rules: tuple[dict, ...]

    def as_record(self) -> dict:
        """A JSON-ready form for the verdict history and the verdict-changed event."""
        return {
            "partner_id": self.partner_id,
            "before": self.before.as_record() if self.before is not None else None,
            "after": self.after.as_record(),
            "rules": list(self.rules),
        }


def verdict_changes(
    before: Standing | None,
    after: Standing,
    partner_id: str | None,
    criteria: Criteria = DEFAULT_CRITERIA,
) -> VerdictChange | None:
    """How the verdict for `partner_id` changed from `before` to `after`, or None."""
    new = evaluate(after, partner_id, criteria)
    old = evaluate(before, partner_id, criteria) if before is not None else None
    if old == new:
        return None
    rules = tuple(
        _rule_flip(rule, before, after)
        for rule in (*REASONS, AT_RISK)
        if _flag(rule, old) != _flag(rule, new)
    )
    return VerdictChange(partner_id=partner_id, before=old, after=new, rules=rules)


def verdict_changes_by_partner(
    before: Standing | None, after: Standing, criteria: Criteria = DEFAULT_CRITERIA
) -> list[VerdictChange]:
    """The general change (partner_id None) and each referring partner's own change.

    A referring partner is looked at before and after, so that losing or gaining
    a referral shows up for that partner even when the general verdict holds.
    """
    referrers = {after.referred_by_partner_id}
    if before is not None:
        referrers.add(before.referred_by_partner_id)
    partners = [None, *sorted(p for p in referrers if p is not None)]
    changes = (verdict_changes(before, after, p, criteria) for p in partners)
    return [change for change in changes if change is not None]


def _rule_flip(rule: str, before: Standing | None, after: Standing) -> dict:
    return {
        "rule": rule,
        "before": _rule_values(rule, before),
        "after": _rule_values(rule, after),
    }


def _flag(rule: str, verdict: Verdict | None) -> bool:
    if verdict is None:
        return False
    return verdict.at_risk if rule == AT_RISK else rule in verdict.reasons


def _rule_values(rule: str, standing: Standing | None) -> dict | None:
    if standing is None:
        return None
    if rule == ACCOUNT_SUSPENDED:
        return {"account_status": standing.account_status}
    if rule == PROFILE_PRIVATE:
        return {"profile_visibility": standing.profile_visibility}
    if rule == JSS_BELOW_THRESHOLD and standing.jss == 0:
        return {"jss": 0, "referred_by_partner_id": standing.referred_by_partner_id}
    return {"jss": standing.jss}


def is_newer(
    incoming_updated_at: dt.datetime, stored_updated_at: dt.datetime | None
) -> bool:
    """True when an update is strictly newer than what is stored (equal is stale)."""
    return stored_updated_at is None or incoming_updated_at > stored_updated_at


PROFILE_FIELDS = (
    "name", "title", "skills", "hourly_rate", "country", "jss", "badges",
    "projects", "consultations",
)
OPTIONAL_PROFILE_FIELDS = ("profile_url", "photo_url", "availability")  # null when unknown


def searchable_profile(
    freelancer_id: str, talent: Mapping[str, Any], criteria: Criteria = DEFAULT_CRITERIA
) -> dict:
    """The JSON-ready profile published to catalog, with the verdicts it acts on.

    Money goes out as JSON numbers (cents survive the float round trip for the
    amounts the schema allows) and `updated_at` as RFC 3339.
    """
    standing = Standing.of(talent)
    verdict = general_verdict(standing, criteria)
    profile = {field: json_ready(talent[field]) for field in PROFILE_FIELDS}
    profile.update((field, talent.get(field)) for field in OPTIONAL_PROFILE_FIELDS)
    return {
        "freelancer_id": freelancer_id,
        **profile,
        "eligible": verdict.eligible,
        "ineligible_reasons": list(verdict.reasons),
        "eligible_for_partners": referral_partners(standing, criteria),
        "updated_at": json_ready(talent["updated_at"]),
    }


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON values: Decimal money as numbers, datetimes as RFC 3339 (``Z``)."""
    kind = type(value)  # plain types first: this runs for every field of every bulk line
    if kind in _PLAIN:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {key: json_ready(nested) for key, nested in value.items()}
    if kind is list or kind is tuple:
        return [json_ready(nested) for nested in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return _rfc3339(value)
    return value


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _rfc3339(moment: dt.datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
