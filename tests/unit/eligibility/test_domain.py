import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.eligibility.domain import (
    REASONS,
    Criteria,
    Standing,
    Verdict,
    evaluate,
    general_verdict,
    is_newer,
    referral_partners,
    searchable_profile,
    verdict_changes,
    verdict_changes_by_partner,
)
from services.eligibility.schemas import BulkTalentLineSchema

from .builders import standing, talent_document

PARTNER = "partner-acme"
OTHER_PARTNER = "partner-globex"


def test_jss_79_is_refused_for_being_below_the_threshold():
    assert evaluate(standing(jss=79), PARTNER) == Verdict(
        eligible=False, reasons=("jss_below_threshold",), at_risk=False
    )


def test_jss_80_meets_the_threshold():
    assert evaluate(standing(jss=80), PARTNER).eligible


def test_new_freelancer_with_jss_0_is_eligible_for_the_partner_who_referred_them():
    verdict = evaluate(standing(jss=0, referred_by=PARTNER), PARTNER)

    assert verdict == Verdict(eligible=True, reasons=(), at_risk=False)


def test_new_freelancer_referred_by_another_partner_is_refused():
    verdict = evaluate(standing(jss=0, referred_by=OTHER_PARTNER), PARTNER)

    assert verdict.reasons == ("jss_below_threshold",)


def test_new_freelancer_without_referral_is_refused():
    assert not evaluate(standing(jss=0), PARTNER).eligible


def test_general_verdict_gives_no_referral_exception():
    assert general_verdict(standing(jss=0, referred_by=PARTNER)).reasons == (
        "jss_below_threshold",
    )


def test_referral_exception_can_be_switched_off():
    criteria = Criteria(referral_exception=False)

    newcomer = standing(jss=0, referred_by=PARTNER)

    assert not evaluate(newcomer, PARTNER, criteria).eligible


def test_referral_exception_is_for_jss_0_only():
    assert not evaluate(standing(jss=45, referred_by=PARTNER), PARTNER).eligible


def test_suspended_account_is_refused():
    verdict = evaluate(standing(account_status="suspended"), PARTNER)

    assert verdict.reasons == ("account_suspended",)


def test_private_profile_is_refused():
    verdict = evaluate(standing(profile_visibility="private"), PARTNER)

    assert verdict.reasons == ("profile_private",)


def test_several_reasons_come_in_a_fixed_order():
    fails_everything = standing(
        jss=12, account_status="suspended", profile_visibility="private"
    )

    assert evaluate(fails_everything, PARTNER).reasons == (
        "account_suspended",
        "jss_below_threshold",
        "profile_private",
    )


@pytest.mark.parametrize("jss", [80, 81, 82, 83, 84])
def test_eligible_expert_just_above_the_threshold_is_at_risk(jss):
    verdict = evaluate(standing(jss=jss), PARTNER)

    assert verdict.eligible and verdict.at_risk


def test_jss_85_is_not_at_risk():
    assert not evaluate(standing(jss=85), PARTNER).at_risk


def test_an_ineligible_freelancer_is_not_at_risk():
    assert not evaluate(standing(jss=82, profile_visibility="private"), PARTNER).at_risk


def test_jss_0_allowed_through_referral_is_not_at_risk():
    assert not evaluate(standing(jss=0, referred_by=PARTNER), PARTNER).at_risk


def test_threshold_and_margin_are_configurable():
    criteria = Criteria(jss_threshold=90, at_risk_margin=2)

    assert evaluate(standing(jss=89), PARTNER, criteria).reasons == (
        "jss_below_threshold",
    )
    assert evaluate(standing(jss=91), PARTNER, criteria).at_risk
    assert not evaluate(standing(jss=92), PARTNER, criteria).at_risk


def test_referral_partners_name_the_partner_who_referred_an_eligible_newcomer():
    assert referral_partners(standing(jss=0, referred_by=PARTNER)) == [PARTNER]


@pytest.mark.parametrize(
    "talent",
    [
        standing(jss=0),
        standing(jss=95, referred_by=PARTNER),
        standing(jss=0, referred_by=PARTNER, account_status="suspended"),
        standing(jss=0, referred_by=PARTNER, profile_visibility="private"),
    ],
)
def test_referral_partners_are_empty_when_the_referral_changes_nothing(talent):
    assert referral_partners(talent) == []


def test_an_update_with_a_later_timestamp_is_newer():
    stored = dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone.utc)

    assert is_newer(stored + dt.timedelta(microseconds=1), stored)
    assert not is_newer(stored - dt.timedelta(seconds=1), stored)


def test_an_update_with_an_equal_timestamp_is_stale_whatever_its_offset():
    stored = dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone.utc)
    two_hours_east = dt.timezone(dt.timedelta(hours=2))
    same_instant = dt.datetime(2025, 3, 1, 12, tzinfo=two_hours_east)

    assert not is_newer(stored, stored)
    assert not is_newer(same_instant, stored)


def test_the_first_update_of_a_freelancer_is_newer():
    assert is_newer(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc), None)


def test_suspension_is_recorded_with_the_rule_and_the_values():
    change = verdict_changes(
        standing(), standing(account_status="suspended"), PARTNER
    )

    assert change.before.eligible and not change.after.eligible
    assert change.after.reasons == ("account_suspended",)
    assert change.rules == (
        {
            "rule": "account_suspended",
            "before": {"account_status": "active"},
            "after": {"account_status": "suspended"},
        },
    )


def test_reinstatement_is_recorded_as_the_reverse_flip():
    change = verdict_changes(standing(account_status="suspended"), standing(), None)

    assert change.after == Verdict(eligible=True, reasons=(), at_risk=False)
    assert [rule["rule"] for rule in change.rules] == ["account_suspended"]
    assert change.rules[0]["after"] == {"account_status": "active"}


def test_a_jss_drop_below_the_threshold_records_both_scores():
    change = verdict_changes(standing(jss=85), standing(jss=72), None)

    assert change.rules == (
        {"rule": "jss_below_threshold", "before": {"jss": 85}, "after": {"jss": 72}},
    )


def test_slipping_into_the_at_risk_band_is_a_change():
    change = verdict_changes(standing(jss=90), standing(jss=82), None)

    assert change.after.eligible and change.after.at_risk
    assert [rule["rule"] for rule in change.rules] == ["at_risk"]


def test_no_change_is_reported_when_the_verdict_holds():
    assert verdict_changes(standing(jss=72), standing(jss=60), None) is None
    assert verdict_changes(standing(jss=95), standing(jss=99), PARTNER) is None


def test_a_freelancer_seen_for_the_first_time_has_no_verdict_before():
    change = verdict_changes(None, standing(profile_visibility="private"), None)

    assert change.before is None
    assert change.rules == (
        {
            "rule": "profile_private",
            "before": None,
            "after": {"profile_visibility": "private"},
        },
    )


def test_losing_a_referral_changes_the_verdict_for_the_referring_partner_only():
    changes = verdict_changes_by_partner(
        standing(jss=0, referred_by=PARTNER), standing(jss=0, referred_by=None)
    )

    assert [change.partner_id for change in changes] == [PARTNER]
    assert changes[0].after.reasons == ("jss_below_threshold",)
    assert changes[0].rules[0]["before"] == {
        "jss": 0,
        "referred_by_partner_id": PARTNER,
    }


def test_a_suspension_changes_the_general_verdict_and_the_referring_partners():
    changes = verdict_changes_by_partner(
        standing(jss=0, referred_by=PARTNER),
        standing(jss=0, referred_by=PARTNER, account_status="suspended"),
    )

    assert [change.partner_id for change in changes] == [None, PARTNER]


def test_a_change_record_is_json_ready():
    change = verdict_changes(standing(jss=85), standing(jss=72), PARTNER)

    assert json.loads(json.dumps(change.as_record())) == {
        "partner_id": PARTNER,
        "before": {"eligible": True, "reasons": [], "at_risk": False},
        "after": {
            "eligible": False,
            "reasons": ["jss_below_threshold"],
            "at_risk": False,
        },
        "rules": [
            {"rule": "jss_below_threshold", "before": {"jss": 85}, "after": {"jss": 72}}
        ],
    }


def test_searchable_profile_carries_the_verdicts_catalog_acts_on():
    document = BulkTalentLineSchema().load(
        talent_document(jss=0, referred_by_partner_id=PARTNER, hourly_rate=19.99)
    )

    profile = searchable_profile("fl-000042", document)

    assert profile["eligible"] is False
    assert profile["ineligible_reasons"] == ["jss_below_threshold"]
    assert profile["eligible_for_partners"] == [PARTNER]
    assert profile["hourly_rate"] == 19.99
    assert profile["updated_at"] == "2025-03-01T10:00:00Z"
    assert profile["projects"][0]["price"] == 900
    assert json.loads(json.dumps(profile)) == profile


def test_searchable_profile_holds_the_catalog_fields_and_no_standing_internals():
    document = BulkTalentLineSchema().load(talent_document())

    assert set(searchable_profile("fl-000042", document)) == {
        "freelancer_id", "name", "title", "skills", "hourly_rate", "country", "jss",
        "badges", "projects", "consultations", "eligible", "ineligible_reasons",
        "eligible_for_partners", "updated_at", "profile_url", "photo_url", "availability",
    }


standings = st.builds(
    Standing,
    account_status=st.sampled_from(["active", "suspended"]),
    profile_visibility=st.sampled_from(["public", "private"]),
    jss=st.integers(0, 100),
    referred_by_partner_id=st.sampled_from([None, PARTNER, OTHER_PARTNER]),
)


@given(standings, st.sampled_from([None, PARTNER, OTHER_PARTNER]))
def test_a_verdict_is_consistent_whatever_the_standing(talent, partner_id):
    verdict = evaluate(talent, partner_id)

    assert verdict.eligible == (not verdict.reasons)
    assert list(verdict.reasons) == [r for r in REASONS if r in verdict.reasons]
    assert not verdict.at_risk or verdict.eligible
    assert verdict.eligible >= general_verdict(talent).eligible
