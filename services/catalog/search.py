"""The talent search index: full text over name, title and skills (PostgreSQL full-text
search with a GIN index; SQLite FTS5 in the embedded default), filters, keyset pages. Both
databases index ``search_text``, folded in Python (``textfold``) as queries are."""
from __future__ import annotations

import functools
import json
from datetime import datetime

from sqlalchemy import and_, func, literal, literal_column, or_, select, text, tuple_
from sqlalchemy.orm import Session

from services.common.db import upsert, upsert_rows

from . import textfold
from .models import TalentProfile

SIMPLE = literal_column("'simple'::regconfig")


def profile_row(profile: dict) -> dict:
    """The index row of an ``eligibility.profile.updated`` payload."""
    skills = profile.get("skills", [])
    return {"freelancer_id": profile["freelancer_id"], "name": profile["name"],
            "title": profile.get("title", ""), "country": profile.get("country", ""),
            "skills": json.dumps(skills), "skills_key": skills_key(skills),
            "hourly_rate": float(profile["hourly_rate"]), "jss": int(profile["jss"]),
            "badges": _key(profile.get("badges", [])), "projects": json.dumps(profile.get("projects", [])),
            "consultations": json.dumps(profile.get("consultations", [])), "eligible": bool(profile["eligible"]),
            "profile_url": profile.get("profile_url"), "photo_url": profile.get("photo_url"),
            "availability": profile.get("availability"),
            "ineligible_reasons": ",".join(profile.get("ineligible_reasons", [])),
            "eligible_for_partners": _key(profile.get("eligible_for_partners", []), lower=False),
            "search_text": textfold.search_text(profile["name"], profile.get("title", ""), *skills),
            "updated_at": datetime.fromisoformat(profile["updated_at"].replace("Z", "+00:00"))}


def save_profile(session: Session, profile: dict) -> bool:
    """Upsert from an ``eligibility.profile.updated`` payload unless ours is newer; True if stored.
    One statement (insert, or update only when ours is older) instead of a read and a write."""
    values = profile_row(profile)
    dialect = session.get_bind().dialect.name
    if session.execute(_upsert(dialect), values).first() is None:
        return False
    if dialect == "sqlite":
        index_text(session, [values])
    return True


def save_profiles(session: Session, profiles: list[dict]) -> list[str]:
    """The set-based ``save_profile`` for a batch (``eligibility.profiles.updated``): one
    executemany of the same guarded upsert, newest ``updated_at`` winning per freelancer, so a
    batch delivered again or overlapping another changes nothing twice. The ids stored."""
    newest: dict[str, dict] = {}
    for profile in profiles:
        row = profile_row(profile)
        held = newest.get(row["freelancer_id"])
        if held is None or held["updated_at"] < row["updated_at"]:
            newest[row["freelancer_id"]] = row
    if not newest:
        return []
    rows = [newest[fid] for fid in sorted(newest)]  # one order: concurrent batches do not deadlock
    stored = set(upsert_rows(session, TalentProfile.__table__, rows, ("freelancer_id",), "updated_at"))
    if session.get_bind().dialect.name == "sqlite" and stored:
        index_text(session, [r for r in rows if r["freelancer_id"] in stored])
    return sorted(stored)


@functools.cache
def _upsert(dialect: str):
    table = TalentProfile.__table__
    return upsert(table, dialect, ("freelancer_id",), "updated_at").returning(table.c.freelancer_id)


def index_text(session: Session, rows: list[dict]) -> None:
    """SQLite: keep the FTS5 table in step with the index rows. ``freelancer_id`` is an
    UNINDEXED column, so deleting by it reads the whole FTS table: once for all the rows (one
    DELETE over the batch's ids), never once per row (a 100,000-line re-score spent all its
    time there: a scan per profile)."""
    ids = [{"f": r["freelancer_id"], "b": r["search_text"]} for r in rows]
    session.execute(text("DELETE FROM talent_fts WHERE freelancer_id IN (SELECT value FROM json_each(:ids))"),
                    {"ids": json.dumps([r["freelancer_id"] for r in rows])})
    session.execute(text("INSERT INTO talent_fts (freelancer_id, body) VALUES (:f, :b)"), ids)


def skills_key(skills: list[str]) -> str:
    """``|skill|...|`` with each skill folded as the ``skill`` filter is."""
    return _key([textfold.fold(skill) for skill in skills], lower=False)


def _key(values, lower: bool = True) -> str:
    return "|" + "|".join((v.lower() if lower else v) for v in values) + "|" if values else "|"


def eligible_for(profile: TalentProfile, partner_id: str) -> tuple[bool, list[str]]:
    """What eligibility decided for this partner (general verdict or the referral exception)."""
    if profile.eligible or f"|{partner_id}|" in profile.eligible_for_partners:
        return True, []
    return False, [r for r in profile.ineligible_reasons.split(",") if r]


RESULT_COLUMNS = [getattr(TalentProfile, name) for name in (
    "freelancer_id", "name", "title", "skills", "hourly_rate", "country", "jss", "badges", "projects",
    "consultations", "eligible", "ineligible_reasons", "eligible_for_partners")]


def search(session: Session, partner_id: str, filters: dict, after: list | None, limit: int) -> list:
    """Profiles matching ``filters`` ordered by (name, freelancer_id), after the cursor key: rows
    of the columns a result shows (attributes as on ``TalentProfile``), not ORM objects, whose
    making cost more than the query itself."""
    query = select(*RESULT_COLUMNS).order_by(TalentProfile.name, TalentProfile.freelancer_id)
    for condition in _conditions(session, partner_id, filters):
        query = query.where(condition)
    if after:
        query = query.where(tuple_(TalentProfile.name, TalentProfile.freelancer_id)
                            > tuple_(literal(after[0]), literal(after[1])))
    return list(session.execute(query.limit(limit + 1)))


def _conditions(session: Session, partner_id: str, f: dict):
    if f.get("q"):
        yield _text_match(session, f["q"])
    if f.get("skill"):
        yield TalentProfile.skills_key.contains(f"|{textfold.fold(f['skill'])}|", autoescape=True)
    if f.get("badge"):
        yield TalentProfile.badges.contains(f"|{f['badge']}|", autoescape=True)
    if f.get("min_jss") is not None:
        yield TalentProfile.jss >= f["min_jss"]
    if f.get("max_rate") is not None:
        yield TalentProfile.hourly_rate <= f["max_rate"]
    if f.get("country"):
        yield TalentProfile.country == f["country"].upper()
    if f.get("eligible") is not None:
        referred = TalentProfile.eligible_for_partners.contains(f"|{partner_id}|", autoescape=True)
        yes = or_(TalentProfile.eligible.is_(True), referred)
        yield yes if f["eligible"] else and_(TalentProfile.eligible.is_(False), ~referred)


def _text_match(session: Session, q: str):
    tokens = textfold.tokens(q)[:10]
    if not tokens:
        return literal(True)
    if session.bind.dialect.name == "sqlite":
        match = " ".join(f'"{t}"*' for t in tokens)
        return TalentProfile.freelancer_id.in_(
            select(text("freelancer_id")).select_from(text("talent_fts"))
            .where(text("talent_fts MATCH :m").bindparams(m=match)))
    query = " & ".join(f"{t}:*" for t in tokens)
    # the same expression as the GIN index of the migration, so the index serves it
    return func.to_tsvector(SIMPLE, TalentProfile.search_text).op("@@")(func.to_tsquery(SIMPLE, query))
