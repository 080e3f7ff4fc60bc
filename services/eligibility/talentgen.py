"""Synthetic talent for demos, tests and benchmarks, deterministic by seed.

    python -m services.eligibility.talentgen --count N --seed S [--out FILE]
        [--partner-id ID ...]

writes NDJSON (one talent document with its `freelancer_id` per line) for
POST /internal/v1/talent:bulk, streaming, so a million lines need no more
memory than ten. Mix: about 80% JSS 80-100, 15% JSS 1-79, 5% JSS 0 (new,
most of them referred by one of the partner ids when given); 3% suspended,
3% private; badges follow JSS.
"""

import argparse
import datetime as dt
import io
import json
import math
import os
import random
import sys
from typing import IO, Iterator, Sequence

from faker import Faker

# specialty: (roles for titles, skills)
SPECIALTIES = {
    "design": (
        ("Graphic Designer", "Brand Designer", "UI/UX Designer", "Product Designer"),
        ("Graphic Design", "Logo Design", "Brand Identity", "Figma",
         "Adobe Illustrator", "Adobe Photoshop", "Adobe InDesign", "UI Design",
         "UX Research", "Prototyping", "Canva", "Webflow"),
    ),
    "marketing": (
        ("Email Marketing Specialist", "Marketing Automation Consultant",
         "SEO Specialist", "Growth Marketer"),
        ("Email Automation", "Email Marketing", "HubSpot", "Mailchimp", "Klaviyo",
         "ActiveCampaign", "SEO", "Google Ads", "Facebook Ads", "Google Analytics",
         "Copywriting", "Content Writing", "Social Media Marketing",
         "Marketing Automation"),
    ),
    "web": (
        ("Full-Stack Developer", "Frontend Developer", "Shopify Developer",
         "WordPress Developer"),
        ("JavaScript", "TypeScript", "React", "Next.js", "Vue.js", "Node.js",
         "HTML", "CSS", "Tailwind CSS", "WordPress", "Shopify", "Shopify Liquid",
         "WooCommerce", "PHP", "Laravel"),
    ),
    "data": (
        ("Python Developer", "Backend Engineer", "Data Analyst", "Data Engineer"),
        ("Python", "Django", "Flask", "FastAPI", "PostgreSQL", "SQL", "REST API",
         "GraphQL", "AWS", "Docker", "Data Analysis", "Pandas", "Power BI",
         "Tableau", "Machine Learning"),
    ),
    "crm": (
        ("Salesforce Administrator", "CRM Consultant", "Automation Specialist",
         "No-Code Developer"),
        ("Salesforce", "Salesforce Flow", "Apex", "HubSpot CRM", "Zoho CRM",
         "Pipedrive", "Zapier", "Make.com", "Airtable", "Notion", "Monday.com",
         "Google Sheets", "Microsoft Excel", "API Integration"),
    ),
    "mobile": (
        ("Mobile App Developer", "iOS Developer", "Flutter Developer"),
        ("iOS Development", "Android Development", "Swift", "Kotlin", "Flutter",
         "React Native", "Firebase"),
    ),
    "video": (
        ("Video Editor", "Motion Designer"),
        ("Video Editing", "Adobe Premiere Pro", "After Effects", "Motion Graphics"),
    ),
}
SKILLS = tuple(skill for _, skills in SPECIALTIES.values() for skill in skills)

# country: (weight, Faker locale for names)
COUNTRIES = {
    "US": (20, "en_US"), "IN": (12, "en_IN"), "PH": (8, "en_US"),
    "PK": (6, "en_PK"), "UA": (5, "uk_UA"), "GB": (5, "en_GB"),
    "BR": (4, "pt_BR"), "CA": (4, "en_US"), "PL": (3, "pl_PL"),
    "DE": (3, "de_DE"), "NG": (3, "en_NG"), "KE": (2, "en_KE"),
    "FR": (2, "fr_FR"), "ES": (2, "es_ES"), "MX": (2, "es_MX"),
    "AR": (2, "es_AR"), "CO": (2, "es_CO"), "RO": (2, "ro_RO"),
    "IT": (2, "it_IT"), "VN": (2, "vi_VN"), "ID": (2, "id_ID"),
    "BD": (2, "bn_BD"), "NL": (1, "nl_NL"), "SE": (1, "sv_SE"),
    "TR": (1, "tr_TR"), "NZ": (1, "en_NZ"),
}
TITLE_FORMS = ("{role}", "Senior {role}", "{role} | {skill} & {other}",
               "{skill} Expert", "Certified {skill} Consultant")
PROJECT_FORMS = ("Set up {skill} for your business", "{skill} audit and quick wins",
                 "Custom {skill} build", "Fix and optimise your {skill} setup")
CONSULTATION_FORMS = ("1:1 {skill} strategy call", "{skill} Q&A session",
                      "{skill} roadmap review")
BASE_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
UPDATE_WINDOW_SECONDS = 180 * 24 * 3600


def generate_talent(
    n: int, seed: int = 0, partner_ids: Sequence[str] = ()
) -> Iterator[dict]:
    """Yield `n` talent documents with `freelancer_id` fl-000001, fl-000002, ...

    The same seed and partner ids give the same documents, and the first k
    documents of a run do not depend on `n`.
    """
    rng = random.Random(seed)
    names = _NamePools(seed)
    countries, weights = list(COUNTRIES), [w for w, _ in COUNTRIES.values()]
    for number in range(1, n + 1):
        country = rng.choices(countries, weights)[0]
        name = names.pick(rng, COUNTRIES[country][1])
        yield _talent(f"fl-{number:06d}", rng, name, country, tuple(partner_ids))


class _NamePools:
    """First and last names per locale, drawn from Faker once and then reused:
    Faker's weighted draws are the slow part of a million-line run."""

    SIZE = 256

    def __init__(self, seed: int):
        self._seed = seed
        self._pools: dict[str, tuple[list[str], list[str]]] = {}

    def pick(self, rng: random.Random, locale: str) -> str:
        if locale not in self._pools:
            fake = Faker(locale)
            fake.seed_instance(self._seed)
            firsts = [fake.first_name() for _ in range(self.SIZE)]
            self._pools[locale] = (firsts, [fake.last_name() for _ in range(self.SIZE)])
        firsts, lasts = self._pools[locale]
        return f"{rng.choice(firsts)} {rng.choice(lasts)}"


def _talent(freelancer_id, rng, name, country, partner_ids) -> dict:
    roles, specialty_skills = SPECIALTIES[rng.choice(list(SPECIALTIES))]
    skills = _skills(rng, specialty_skills)
    jss = _jss(rng)
    rate = _hourly_rate(rng)
    return {
        "freelancer_id": freelancer_id,
        "name": name,
        "title": _title(rng, roles, skills),
        "skills": skills,
        "hourly_rate": rate,
        "country": country,
        "jss": jss,
        "badges": _badges(rng, jss),
        "account_status": "suspended" if rng.random() < 0.03 else "active",
        "profile_visibility": "private" if rng.random() < 0.03 else "public",
        "referred_by_partner_id": _referrer(rng, jss, partner_ids),
        "projects": _projects(rng, freelancer_id, skills, rate),
        "consultations": _consultations(rng, freelancer_id, skills, rate),
        "updated_at": _updated_at(rng),
    }


def _skills(rng: random.Random, specialty_skills: tuple[str, ...]) -> list[str]:
    count = min(rng.randint(3, 10), len(specialty_skills))
    chosen = rng.sample(specialty_skills, count)
    extra = rng.sample(SKILLS, rng.randint(0, 2))
    return chosen + [skill for skill in extra if skill not in chosen]


def _title(rng: random.Random, roles: tuple[str, ...], skills: list[str]) -> str:
    return rng.choice(TITLE_FORMS).format(
        role=rng.choice(roles), skill=skills[0], other=skills[1]
    )


def _jss(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.05:
        return 0
    if roll < 0.20:
        return round(rng.triangular(30, 79, 74))
    return round(rng.triangular(80, 100, 97))


def _badges(rng: random.Random, jss: int) -> list[str]:
    if jss == 0:
        return ["rising_talent"] if rng.random() < 0.5 else []
    roll = rng.random()
    if jss < 90:
        if roll < 0.08:
            return ["rising_talent"]
        return ["top_rated"] if jss >= 85 and roll < 0.5 else []
    badges = []
    if jss >= 95 and roll < 0.3:
        badges.append("top_rated_plus")
    elif roll < 0.7:
        badges.append("top_rated")
    if rng.random() < 0.08:
        badges.append("expert_vetted")
    return badges


def _hourly_rate(rng: random.Random) -> float:
    rate = math.exp(rng.uniform(math.log(15), math.log(250)))
    return min(250.0, max(15.0, round(rate * 2) / 2))


def _referrer(rng: random.Random, jss: int, partner_ids: tuple[str, ...]):
    referred = rng.random() < (0.6 if jss == 0 else 0.02)
    pick = rng.random()  # drawn always, so partner ids change nothing else
    if referred and partner_ids:
        return partner_ids[int(pick * len(partner_ids))]
    return None


def _projects(rng, freelancer_id: str, skills: list[str], rate: float) -> list[dict]:
    count = rng.choices((0, 1, 2, 3), (35, 30, 20, 15))[0]
    return [
        {
            "id": f"{freelancer_id}-p{k}",
            "title": rng.choice(PROJECT_FORMS).format(skill=rng.choice(skills)),
            "price": float(round(rate * rng.randint(2, 40), -1) or 10),
            "delivery_days": rng.randint(1, 30),
        }
        for k in range(1, count + 1)
    ]


def _consultations(rng, freelancer_id: str, skills: list[str], rate: float):
    count = rng.choices((0, 1, 2), (50, 35, 15))[0]
    consultations = []
    for k in range(1, count + 1):
        minutes = rng.choice((30, 45, 60, 90))
        consultations.append({
            "id": f"{freelancer_id}-c{k}",
            "title": rng.choice(CONSULTATION_FORMS).format(skill=rng.choice(skills)),
            "duration_minutes": minutes,
            "price": round(rate * minutes / 60, 2),
        })
    return consultations


def _updated_at(rng: random.Random) -> str:
    moment = BASE_TIME + dt.timedelta(seconds=rng.randrange(UPDATE_WINDOW_SECONDS))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_ndjson(
    target: str | os.PathLike | IO, n: int, seed: int = 0,
    partner_ids: Sequence[str] = (),
) -> int:
    """Write `n` talent lines to a path or an open (text or binary) file; return n."""
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as file:
            return write_ndjson(file, n, seed, partner_ids)
    text = isinstance(target, io.TextIOBase)
    for talent in generate_talent(n, seed, partner_ids):
        line = json.dumps(talent, ensure_ascii=False, separators=(",", ":")) + "\n"
        target.write(line if text else line.encode("utf-8"))
    return n


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: NDJSON to stdout, or to --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="file to write (default: stdout)")
    parser.add_argument("--partner-id", action="append", default=[],
                        help="partner that may have referred new freelancers")
    args = parser.parse_args(argv)
    try:
        write_ndjson(args.out or sys.stdout.buffer, args.count, args.seed,
                     args.partner_id)
    except BrokenPipeError:  # a reader such as `head` stopped early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
