"""Eligibility's use cases: accept talent, watch pairs, re-evaluate, sweep."""
from __future__ import annotations

import json
import os

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import Session

from services.common.bus.envelope import json_ready
from services.common.db import utcnow
from services.common.runtime import Runtime

from . import domain, events
from .models import Talent, VerdictRecord, WatchedPair

CREATED, UPDATED, STALE = "created", "updated", "stale"


def criteria_from_env(environ=None) -> domain.Criteria:
    """The criteria's settings: ELIGIBILITY_JSS_THRESHOLD, ELIGIBILITY_REFERRAL_EXCEPTION,
    ELIGIBILITY_AT_RISK_MARGIN."""
    env = os.environ if environ is None else environ
    return domain.Criteria(
        jss_threshold=int(env.get("ELIGIBILITY_JSS_THRESHOLD", "80")),
        referral_exception=env.get("ELIGIBILITY_REFERRAL_EXCEPTION", "1") not in ("0", "false", "no"),
        at_risk_margin=int(env.get("ELIGIBILITY_AT_RISK_MARGIN", "5")))


def accept_talent(runtime: Runtime, session: Session, freelancer_id: str, document: dict,
                  criteria: domain.Criteria, pairs: list | None = None, known: dict | None = None) -> str:
    """Store a talent document unless it is not newer than the one held; re-judge its pairs
    (``pairs`` and ``known`` talent rows: already loaded by a bulk caller, else looked up)."""
    row = known.get(freelancer_id) if known is not None else session.get(Talent, freelancer_id)
    if row is not None and not domain.is_newer(document["updated_at"], row.updated_at):
        return STALE
    held = json.loads(row.document) if row is not None else None
    before = domain.Standing.of(held) if held is not None else None
    plain = json_ready({k: v for k, v in document.items() if k != "freelancer_id"})
    if row is None:
        row = Talent(freelancer_id=freelancer_id)
        session.add(row)
    row.document, row.updated_at = json.dumps(plain), document["updated_at"]
    if held is None or not same_but_time(held, plain):
        runtime.emit(session, events.PROFILE_UPDATED, domain.searchable_profile(freelancer_id, document, criteria))
    after = domain.Standing.of(document)
    if pairs is None:
        pairs = session.scalars(select(WatchedPair).where(WatchedPair.freelancer_id == freelancer_id))
    for pair in pairs:
        reconsider(runtime, session, pair, after, criteria, before=before)
    return CREATED if before is None else UPDATED


def put_talent(runtime: Runtime, session: Session, freelancer_id: str, document: dict,
               criteria: domain.Criteria) -> tuple[str, domain.Standing, str]:
    """One PUT: its outcome, and the standing and ``updated_at`` of the document held after it,
    taken from what is in hand rather than read back. The row is locked as it is read (on
    PostgreSQL; SQLite takes its write lock at BEGIN), so of two PUTs at once the second
    compares against what the first wrote: an older one can never be written last."""
    held = session.get(Talent, freelancer_id, with_for_update=True)
    outcome = accept_talent(runtime, session, freelancer_id, document, criteria,
                            known={freelancer_id: held} if held is not None else {})
    if outcome == STALE:
        stored = json.loads(held.document)
        return outcome, domain.Standing.of(stored), stored["updated_at"]
    return outcome, domain.Standing.of(document), json_ready(document["updated_at"])


def same_but_time(held: dict, incoming: dict) -> bool:
    """True when two JSON-ready talent documents differ in ``updated_at`` alone: a newer
    version that changes nothing catalog shows, so no profile event goes out for it."""
    return {k: v for k, v in held.items() if k != "updated_at"} == {
        k: v for k, v in incoming.items() if k != "updated_at"}


def reconsider(runtime: Runtime, session: Session, pair: WatchedPair, standing: domain.Standing,
               criteria: domain.Criteria, before: domain.Standing | None = None,
               republish: bool = False, batch: list | None = None) -> bool:
    """Judge a pair again; record and publish a change (or re-publish the verdict). True if changed.
    ``batch``: the change's payload joins this list (a bulk batch's one event) instead of an
    event of its own."""
    verdict = domain.evaluate(standing, pair.partner_id, criteria)
    changed = (verdict.eligible, ",".join(verdict.reasons), verdict.at_risk) != (
        pair.eligible, pair.reasons, pair.at_risk)
    rules = ()
    if changed:
        change = domain.verdict_changes(before, standing, pair.partner_id, criteria)
        rules = change.rules if change is not None else ()
        pair.eligible, pair.reasons, pair.at_risk = verdict.eligible, ",".join(verdict.reasons), verdict.at_risk
        session.add(VerdictRecord(partner_id=pair.partner_id, freelancer_id=pair.freelancer_id,
                                  eligible=verdict.eligible, reasons=pair.reasons, at_risk=verdict.at_risk,
                                  rules=json.dumps(json_ready(list(rules)))))
    if changed or republish:
        payload = {"partner_id": pair.partner_id, "freelancer_id": pair.freelancer_id,
                   "eligible": verdict.eligible, "reasons": list(verdict.reasons), "at_risk": verdict.at_risk,
                   "rules": json_ready(list(rules)), "changed_at": utcnow()}
        if batch is None:
            runtime.emit(session, events.VERDICT_CHANGED, payload)
        else:
            batch.append(json_ready(payload))
    return changed


def standing_of(session: Session, freelancer_id: str) -> domain.Standing | None:
    row = session.get(Talent, freelancer_id)
    return domain.Standing.of(json.loads(row.document)) if row is not None else None


def watch(runtime: Runtime, session: Session, partner_id: str, freelancer_id: str, approved_anywhere: bool,
          criteria: domain.Criteria, keep: bool = False) -> None:
    """Catalog approved, declined or removed an expert: watch the pair while it is approved
    anywhere (``keep``: removed pairs stay watched, so becoming eligible again is published)."""
    pair = session.get(WatchedPair, (partner_id, freelancer_id))
    if not approved_anywhere and not keep:
        if pair is not None:
            session.delete(pair)
        return
    if pair is None:
        # catalog approved them as eligible: that is the verdict it assumes
        pair = WatchedPair(partner_id=partner_id, freelancer_id=freelancer_id, eligible=True, reasons="",
                           at_risk=False)
        session.add(pair)
        session.flush()
        standing = standing_of(session, freelancer_id)
        if standing is not None:
            reconsider(runtime, session, pair, standing, criteria)


def sweep(runtime: Runtime, criteria: domain.Criteria, batch: int = 500) -> dict:
    """Re-judge every watched pair and re-publish its verdict, for consumers that missed one.
    Running it twice changes nothing here: history grows only when a verdict changed."""
    done, changed, last = 0, 0, ("", "")
    while True:
        with runtime.db.transaction() as session:
            pairs = session.scalars(select(WatchedPair)
                                    .where(tuple_(WatchedPair.partner_id, WatchedPair.freelancer_id)
                                           > tuple_(literal(last[0]), literal(last[1])))
                                    .order_by(WatchedPair.partner_id, WatchedPair.freelancer_id)
                                    .limit(batch)).all()
            for pair in pairs:
                standing = standing_of(session, pair.freelancer_id)
                if standing is not None:
                    changed += reconsider(runtime, session, pair, standing, criteria, republish=True)
                    done += 1
        if len(pairs) < batch:
            return {"republished": done, "changed": changed}
        last = (pairs[-1].partner_id, pairs[-1].freelancer_id)
