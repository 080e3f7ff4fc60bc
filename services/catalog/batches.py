"""Catalog's side of eligibility's batch event ``eligibility.profiles.updated`` (a bulk
upload's batch): applied with set-based statements in the consumer's one transaction, so
one inbox row covers the batch. Per item it is idempotent: a profile is stored only over an
older one (newest ``updated_at`` wins), a verdict overwrites the pair's verdict, and only an
expert still approved is removed, so a batch delivered again, or overlapping a later one,
changes nothing twice."""
from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from services.common.db import upsert_rows
from services.common.runtime import Runtime

from . import domain, events, handlers, pagecontent, search
from .models import Curation, Page, PartnerVerdict

CHUNK = 500  # ids per IN (...): well inside every database's limit on bound parameters


def apply_profiles(runtime: Runtime, session: Session, payload: dict) -> None:
    """Store the batch's profiles in the search index, apply its verdicts (removing approved
    experts who no longer qualify, with reasons and activity entries), then give each page
    that changed one new version: a page event per partner, not per freelancer."""
    stored = search.save_profiles(session, payload.get("profiles", []))
    pages = set(partners_featuring(session, stored))
    pages |= apply_verdicts(runtime, session, payload.get("verdicts", []))
    for partner_id in sorted(pages):
        handlers.page_changed(runtime, session, partner_id)


def partners_featuring(session: Session, freelancer_ids: list[str]) -> list[str]:
    """Partners with any of these freelancers approved."""
    found: set[str] = set()
    for start in range(0, len(freelancer_ids), CHUNK):
        found.update(session.scalars(select(Curation.partner_id).distinct().where(
            Curation.freelancer_id.in_(freelancer_ids[start:start + CHUNK]), Curation.status == domain.APPROVED)))
    return sorted(found)


def apply_verdicts(runtime: Runtime, session: Session, verdicts: list[dict]) -> set[str]:
    """Each pair's latest verdict in the batch, stored with one upsert; approved experts of
    ineligible pairs removed everywhere in their partner's use cases. The partners whose
    pages changed."""
    latest = {(v["partner_id"], v["freelancer_id"]): v for v in verdicts}  # the batch is in order
    if not latest:
        return set()
    rows = [{"partner_id": p, "freelancer_id": f, "eligible": v["eligible"], "reasons": ",".join(v["reasons"]),
             "at_risk": v["at_risk"]} for (p, f), v in sorted(latest.items())]
    upsert_rows(session, PartnerVerdict.__table__, rows, ("partner_id", "freelancer_id"))
    ineligible = {pair: v["reasons"] for pair, v in latest.items() if not v["eligible"]}
    return remove_ineligible(runtime, session, ineligible)


def remove_ineligible(runtime: Runtime, session: Session, ineligible: dict[tuple[str, str], list[str]]) -> set[str]:
    """``handlers.remove_ineligible`` for many pairs at once: every approved curation of these
    (partner, freelancer) pairs becomes ``removed`` by ``system`` with the reasons, its
    featured offerings go, and each removal is logged and published (``catalog.expert.removed``).
    A published page left short of a requirement gets a ``page.requirements_unmet`` entry."""
    pairs = sorted(ineligible)
    rows: list[Curation] = []
    for start in range(0, len(pairs), CHUNK):
        rows += session.scalars(select(Curation).where(
            tuple_(Curation.partner_id, Curation.freelancer_id).in_(pairs[start:start + CHUNK]),
            Curation.status == domain.APPROVED).order_by(Curation.partner_id, Curation.freelancer_id,
                                                          Curation.use_case_id)).all()
    for row in rows:
        reasons = ineligible[(row.partner_id, row.freelancer_id)]
        handlers._decide(row, domain.REMOVED, "system", reasons)
        handlers._drop_offerings(session, [row.use_case_id], row.freelancer_id)
        handlers.log(session, row.partner_id, "system", "expert.removed", ("freelancer", row.freelancer_id), reasons)
    session.flush()
    for row in rows:
        handlers._decision_event(runtime, session, events.EXPERT_REMOVED, row.partner_id, row.use_case_id,
                                 row.freelancer_id, "system", ineligible[(row.partner_id, row.freelancer_id)])
    partners = {row.partner_id for row in rows}
    for partner_id in sorted(partners):
        page = session.get(Page, partner_id)
        unmet = domain.missing(pagecontent.requirements(session, partner_id))
        if page is not None and page.published and unmet:
            handlers.log(session, partner_id, "system", "page.requirements_unmet", ("page", partner_id), unmet)
    return partners
