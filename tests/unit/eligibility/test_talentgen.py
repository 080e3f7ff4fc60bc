import collections
import io
import subprocess
import sys
from pathlib import Path

import pytest

from services.eligibility.ndjson import LineRejected, parse_ndjson_lines
from services.eligibility.schemas import BulkTalentLineSchema
from services.eligibility.talentgen import SKILLS, generate_talent, main, write_ndjson

PARTNERS = ("partner-acme", "partner-globex")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def directory() -> list[dict]:
    return list(generate_talent(5000, seed=7, partner_ids=PARTNERS))


def share(directory, predicate) -> float:
    return sum(1 for talent in directory if predicate(talent)) / len(directory)


def test_every_generated_document_is_a_valid_bulk_line(directory):
    schema = BulkTalentLineSchema()

    for talent in directory[:3000]:
        schema.load(talent)


def test_the_same_seed_gives_the_same_directory():
    assert list(generate_talent(50, seed=3)) == list(generate_talent(50, seed=3))
    assert list(generate_talent(50, seed=3)) != list(generate_talent(50, seed=4))


def test_a_longer_run_starts_with_the_shorter_one():
    assert list(generate_talent(200, seed=3))[:20] == list(generate_talent(20, seed=3))


def test_partner_ids_change_only_who_referred_whom():
    plain = list(generate_talent(300, seed=5))
    referred = list(generate_talent(300, seed=5, partner_ids=PARTNERS))

    for before, after in zip(plain, referred):
        assert {**after, "referred_by_partner_id": None} == before


def test_freelancer_ids_are_numbered_and_offering_ids_stable(directory):
    assert directory[0]["freelancer_id"] == "fl-000001"
    assert len({talent["freelancer_id"] for talent in directory}) == len(directory)
    for talent in directory[:500]:
        for offering in talent["projects"] + talent["consultations"]:
            assert offering["id"].startswith(talent["freelancer_id"] + "-")


def test_jss_is_mostly_80_or_more_with_some_low_and_some_new(directory):
    assert 0.03 < share(directory, lambda t: t["jss"] == 0) < 0.07
    assert 0.12 < share(directory, lambda t: 0 < t["jss"] < 80) < 0.18
    assert 0.75 < share(directory, lambda t: t["jss"] >= 80) < 0.85


def test_a_few_accounts_are_suspended_and_a_few_profiles_private(directory):
    suspended = share(directory, lambda t: t["account_status"] == "suspended")
    private = share(directory, lambda t: t["profile_visibility"] == "private")

    assert 0.015 < suspended < 0.045
    assert 0.015 < private < 0.045


def test_most_new_freelancers_were_referred_by_one_of_the_partners(directory):
    new = [talent for talent in directory if talent["jss"] == 0]
    referrers = collections.Counter(t["referred_by_partner_id"] for t in new)

    assert set(referrers) <= {None, *PARTNERS}
    assert 0.4 < (len(new) - referrers[None]) / len(new) < 0.8


def test_badges_go_with_the_score(directory):
    for talent in directory:
        badges, jss = talent["badges"], talent["jss"]
        assert "top_rated_plus" not in badges or jss >= 95
        assert "rising_talent" not in badges or jss < 90
        assert not {"top_rated", "top_rated_plus"} <= set(badges)
    assert share(directory, lambda t: "top_rated_plus" in t["badges"]) > 0.03
    assert share(directory, lambda t: "rising_talent" in t["badges"]) > 0.02


def test_rates_skills_countries_and_offerings_are_plausible(directory):
    assert 75 <= len(SKILLS) <= 90 and len(set(SKILLS)) == len(SKILLS)
    for talent in directory:
        assert 15 <= talent["hourly_rate"] <= 250
        assert set(talent["skills"]) <= set(SKILLS)
        assert len(talent["projects"]) <= 3 and len(talent["consultations"]) <= 2
    assert len({talent["country"] for talent in directory}) > 15


def test_written_ndjson_is_accepted_line_for_line_by_the_bulk_reader(tmp_path):
    path = tmp_path / "talent.ndjson"

    assert write_ndjson(path, 300, seed=1, partner_ids=PARTNERS) == 300

    with path.open("rb") as stream:
        results = list(parse_ndjson_lines(stream))
    assert [number for number, _ in results] == list(range(1, 301))
    assert not [r for _, r in results if isinstance(r, LineRejected)]


def test_ndjson_can_go_to_a_text_or_a_binary_file():
    text, binary = io.StringIO(), io.BytesIO()

    write_ndjson(text, 20, seed=2)
    write_ndjson(binary, 20, seed=2)

    assert text.getvalue().encode("utf-8") == binary.getvalue()


def test_the_command_line_writes_the_requested_count_to_a_file(tmp_path):
    out = tmp_path / "talent.ndjson"

    assert main(["--count", "25", "--seed", "9", "--out", str(out)]) == 0
    assert len(out.read_bytes().splitlines()) == 25


def test_the_module_streams_to_stdout():
    finished = subprocess.run(
        [sys.executable, "-m", "services.eligibility.talentgen", "--count", "5"],
        cwd=REPO, capture_output=True, check=True,
    )

    assert len(finished.stdout.splitlines()) == 5
