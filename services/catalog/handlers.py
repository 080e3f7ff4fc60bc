"""Catalog's use cases: one function per command or event."""
from __future__ import annotations

import json

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.db import utcnow
from services.common.errors import Problem
from services.common.runtime import Runtime

from . import domain, events, pagecontent
from .models import Activity, Curation, FeaturedOffering, Page, TalentProfile, UseCase, UseCaseSlug
from .search import eligible_for


def log(session: Session, partner_id: str, actor: str, action: str, subject: tuple[str, str],
        reasons=(), use_case_id: str | None = None) -> None:
    session.add(Activity(partner_id=partner_id, actor=actor, action=action, subject_type=subject[0],
                         subject_id=subject[1], reasons=",".join(reasons), use_case_id=use_case_id))


def page_of(session: Session, partner_id: str) -> Page:
    page = session.get(Page, partner_id)
    if page is None:
        raise Problem(404, "not_found", "No such partner.")
    return page


def page_changed(runtime: Runtime, session: Session, partner_id: str) -> None:
    """The page's content changed: a new version, and the gateway hears of it if it is public."""
    page = session.get(Page, partner_id)
    if page is None:
        return
    session.flush()
    page.version += 1
    if page.published:
        runtime.emit(session, events.PAGE_CHANGED, page_event(session, page))


def page_event(session: Session, page: Page) -> dict:
    return {"partner_id": page.partner_id, "slug": page.slug, "version": page.version,
            "published": page.published, "page": pagecontent.content(session, page)}


# -- use cases

def use_case_of(session: Session, partner_id: str, use_case_id: str) -> UseCase:
    use_case = session.get(UseCase, use_case_id)
    if use_case is None or use_case.partner_id != partner_id:
        raise Problem(404, "not_found", "No such use case.")
    return use_case


def create_use_case(runtime, session, partner_id, actor, name, description="") -> UseCase:
    page_of(session, partner_id)
    position = session.execute(select(func.count()).select_from(UseCase)
                               .where(UseCase.partner_id == partner_id)).scalar_one()
    use_case = UseCase(partner_id=partner_id, name=" ".join(name.split()), name_key=domain.name_key(name),
                       description=description or "", position=position)
    _unique_name(session, use_case)
    session.add(use_case)
    session.flush()
    _assign_slug(session, use_case)
    log(session, partner_id, actor, "use_case.created", ("use_case", use_case.id))
    page_changed(runtime, session, partner_id)
    return use_case


def _unique_name(session: Session, use_case: UseCase) -> None:
    clash = session.scalar(select(UseCase.id).where(UseCase.partner_id == use_case.partner_id,
                                                    UseCase.name_key == use_case.name_key,
                                                    UseCase.id != (use_case.id or "")))
    if clash:
        raise Problem(409, "use_case_exists", "A use case with this name exists.")


def _assign_slug(session: Session, use_case: UseCase) -> None:
    """The slug of the use case's name, unique per partner: a slug held by another use case of
    the partner (now or before a rename) is not taken, the next ``-2``, ``-3`` is. The slugs it
    had before stay its own, so the public page answers them with a 301 to this one."""
    wanted = domain.slug_of(use_case.name)
    candidate, n = wanted, 1
    while True:
        holder = session.get(UseCaseSlug, (use_case.partner_id, candidate))
        if holder is None:
            session.add(UseCaseSlug(partner_id=use_case.partner_id, slug=candidate, use_case_id=use_case.id))
            break
        if holder.use_case_id == use_case.id:
            break
        n += 1
        candidate = domain.numbered_slug(wanted, n)
    use_case.slug = candidate


def update_use_case(runtime, session, partner_id, actor, use_case_id, changes: dict) -> UseCase:
    use_case = use_case_of(session, partner_id, use_case_id)
    if "name" in changes:
        use_case.name, use_case.name_key = " ".join(changes["name"].split()), domain.name_key(changes["name"])
        _unique_name(session, use_case)
        _assign_slug(session, use_case)
    if "description" in changes:
        use_case.description = changes["description"] or ""
    if "position" in changes:
        use_case.position = changes["position"]
    log(session, partner_id, actor, "use_case.updated", ("use_case", use_case.id))
    page_changed(runtime, session, partner_id)
    return use_case


def delete_use_case(runtime, session, partner_id, actor, use_case_id) -> None:
    use_case = use_case_of(session, partner_id, use_case_id)
    approved = session.scalars(select(Curation.freelancer_id).where(
        Curation.use_case_id == use_case.id, Curation.status == domain.APPROVED)).all()
    session.execute(delete(FeaturedOffering).where(FeaturedOffering.use_case_id == use_case.id))
    session.execute(delete(Curation).where(Curation.use_case_id == use_case.id))
    session.delete(use_case)
    session.flush()
    for freelancer_id in approved:
        _decision_event(runtime, session, events.EXPERT_DECLINED, partner_id, use_case_id, freelancer_id, actor)
    log(session, partner_id, actor, "use_case.deleted", ("use_case", use_case_id))
    page_changed(runtime, session, partner_id)


# -- curation

def save_experts(runtime, session, partner_id, actor, use_case_id, freelancer_ids: list[str]) -> list[Curation]:
    use_case = use_case_of(session, partner_id, use_case_id)
    known = set(session.scalars(select(TalentProfile.freelancer_id)
                                .where(TalentProfile.freelancer_id.in_(freelancer_ids))))
    unknown = [f for f in freelancer_ids if f not in known]
    if unknown:
        raise Problem(422, "talent_not_found", "Some freelancers are not in the talent directory.",
                      errors={"freelancer_ids": [f"Unknown: {', '.join(unknown[:20])}"]})
    saved = []
    for freelancer_id in freelancer_ids:
        row = session.get(Curation, (use_case.id, freelancer_id))
        if row is None:
            row = Curation(use_case_id=use_case.id, freelancer_id=freelancer_id, partner_id=partner_id,
                           status=domain.PENDING)
            session.add(row)
        elif row.status not in (domain.PENDING, domain.APPROVED):
            row.status, row.reasons, row.decided_at, row.decided_by = domain.PENDING, "", utcnow(), actor
            log(session, partner_id, actor, "expert.saved", ("freelancer", freelancer_id))
        saved.append(row)
    return saved


def curation_of(session, partner_id, use_case_id, freelancer_id) -> Curation:
    use_case_of(session, partner_id, use_case_id)
    row = session.get(Curation, (use_case_id, freelancer_id))
    if row is None:
        raise Problem(404, "not_found", "This freelancer is not in the use case.")
    return row


def approve(runtime, session, partner_id, actor, use_case_id, freelancer_id, touch_page=True) -> Curation:
    """Approve one expert; ``touch_page=False`` leaves the page's new version to the caller
    (``decide_many`` makes one for the whole batch)."""
    row = curation_of(session, partner_id, use_case_id, freelancer_id)
    if row.status == domain.APPROVED:
        return row
    profile = session.get(TalentProfile, freelancer_id)
    eligible, reasons = eligible_for(profile, partner_id) if profile else (False, [])
    if not eligible:
        raise Problem(409, "not_eligible", "This freelancer does not meet the criteria.", reasons=reasons)
    _decide(row, domain.APPROVED, actor)
    log(session, partner_id, actor, "expert.approved", ("freelancer", freelancer_id), use_case_id=use_case_id)
    _decision_event(runtime, session, events.EXPERT_APPROVED, partner_id, use_case_id, freelancer_id, actor)
    if touch_page:
        page_changed(runtime, session, partner_id)
    return row


def decline(runtime, session, partner_id, actor, use_case_id, freelancer_id, touch_page=True) -> Curation:
    row = curation_of(session, partner_id, use_case_id, freelancer_id)
    if row.status == domain.DECLINED:
        return row
    was_approved = row.status == domain.APPROVED
    _decide(row, domain.DECLINED, actor)
    if was_approved:
        _drop_offerings(session, [use_case_id], freelancer_id)
    log(session, partner_id, actor, "expert.declined", ("freelancer", freelancer_id), use_case_id=use_case_id)
    _decision_event(runtime, session, events.EXPERT_DECLINED, partner_id, use_case_id, freelancer_id, actor)
    if was_approved and touch_page:
        page_changed(runtime, session, partner_id)
    return row


def decide_many(runtime, session, partner_id, actor, use_case_id, approve_ids: list[str],
                decline_ids: list[str]) -> list[dict]:
    """``experts:decide`` (API.md "Partner members: new calls" and its details): each id decided
    as the single call would, in the order given (approvals first). One not in the use case is
    ``{freelancer_id, status: None, code: not_found}``; an ineligible one keeps its status with
    ``code: not_eligible`` and its ``reasons``; the others proceed. The page gets one new
    version for the whole batch when an approved expert came or went."""
    use_case_of(session, partner_id, use_case_id)
    rows = {r.freelancer_id: r for r in session.scalars(select(Curation).where(
        Curation.use_case_id == use_case_id, Curation.freelancer_id.in_([*approve_ids, *decline_ids])))}
    approved_before = {f for f, r in rows.items() if r.status == domain.APPROVED}
    results, touched = [], False
    for decision, ids in ((approve, approve_ids), (decline, decline_ids)):
        for freelancer_id in ids:
            row = rows.get(freelancer_id)
            if row is None:
                results.append({"freelancer_id": freelancer_id, "status": None, "code": "not_found"})
                continue
            try:
                decision(runtime, session, partner_id, actor, use_case_id, freelancer_id, touch_page=False)
            except Problem as refused:  # only not_eligible: the row was found above
                results.append({"freelancer_id": freelancer_id, "status": row.status, "code": refused.code,
                                "reasons": list(refused.extra.get("reasons", []))})
                continue
            touched = touched or (row.status == domain.APPROVED) != (freelancer_id in approved_before)
            results.append({"freelancer_id": freelancer_id, "status": row.status})
    if touched:
        page_changed(runtime, session, partner_id)
    return results


def _decide(row: Curation, status: str, actor: str, reasons=()) -> None:
    row.status, row.reasons, row.decided_at, row.decided_by = status, ",".join(reasons), utcnow(), actor


def _drop_offerings(session: Session, use_case_ids: list[str], freelancer_id: str) -> None:
    session.execute(delete(FeaturedOffering).where(FeaturedOffering.use_case_id.in_(use_case_ids),
                                                   FeaturedOffering.freelancer_id == freelancer_id))


def approved_anywhere(session: Session, partner_id: str, freelancer_id: str) -> bool:
    session.flush()
    return session.scalar(select(Curation.use_case_id).where(
        Curation.partner_id == partner_id, Curation.freelancer_id == freelancer_id,
        Curation.status == domain.APPROVED).limit(1)) is not None


def _decision_event(runtime, session, event_type, partner_id, use_case_id, freelancer_id, actor, reasons=()):
    runtime.emit(session, event_type, {
        "partner_id": partner_id, "use_case_id": use_case_id, "freelancer_id": freelancer_id,
        "decided_by": actor, "decided_at": utcnow(), "reasons": list(reasons),
        "approved_anywhere": approved_anywhere(session, partner_id, freelancer_id)})


def remove_ineligible(runtime, session, partner_id, freelancer_id, reasons: list[str]) -> int:
    """A verdict made an approved expert ineligible: removed from every use case, with reasons."""
    rows = session.scalars(select(Curation).where(Curation.partner_id == partner_id,
                                                  Curation.freelancer_id == freelancer_id,
                                                  Curation.status == domain.APPROVED)).all()
    for row in rows:
        _decide(row, domain.REMOVED, "system", reasons)
    if not rows:
        return 0
    _drop_offerings(session, [r.use_case_id for r in rows], freelancer_id)
    for row in rows:
        log(session, partner_id, "system", "expert.removed", ("freelancer", freelancer_id), reasons,
            use_case_id=row.use_case_id)
        _decision_event(runtime, session, events.EXPERT_REMOVED, partner_id, row.use_case_id, freelancer_id,
                        "system", reasons)
    page_changed(runtime, session, partner_id)
    page = session.get(Page, partner_id)
    unmet = domain.missing(pagecontent.requirements(session, partner_id))
    if page is not None and page.published and unmet:
        log(session, partner_id, "system", "page.requirements_unmet", ("page", partner_id), unmet)
    return len(rows)


# -- offerings

def feature(runtime, session, partner_id, actor, use_case_id, kind, offering_id, freelancer_id) -> FeaturedOffering:
    use_case_of(session, partner_id, use_case_id)
    row = session.get(Curation, (use_case_id, freelancer_id))
    if row is None or row.status != domain.APPROVED:
        raise Problem(409, "expert_not_approved", "The freelancer is not approved in this use case.")
    profile = session.get(TalentProfile, freelancer_id)
    if profile is None or pagecontent.find_offering(profile, kind, offering_id) is None:
        raise Problem(422, "offering_not_found", "The freelancer offers nothing with this id.",
                      errors={"offering_id": ["Not in the freelancer's talent document."]})
    featured = FeaturedOffering(use_case_id=use_case_id, partner_id=partner_id, kind=kind,
                                offering_id=offering_id, freelancer_id=freelancer_id)
    try:
        with session.begin_nested():
            session.add(featured)
            session.flush()
    except IntegrityError as exc:
        raise Problem(409, "offering_exists", "This offering is featured already.") from exc
    log(session, partner_id, actor, "offering.featured", ("offering", featured.id))
    page_changed(runtime, session, partner_id)
    return featured


def unfeature(runtime, session, partner_id, actor, use_case_id, featured_id) -> None:
    use_case_of(session, partner_id, use_case_id)
    featured = session.get(FeaturedOffering, featured_id)
    if featured is None or featured.use_case_id != use_case_id:
        raise Problem(404, "not_found", "No such featured offering.")
    session.delete(featured)
    log(session, partner_id, actor, "offering.removed", ("offering", featured_id))
    page_changed(runtime, session, partner_id)


# -- the page's words and embedding

def update_page(runtime, session, partner_id, actor, changes: dict) -> Page:
    """Set the page's ``headline``, ``intro`` and ``embed_origins`` (API.md second round,
    ``PATCH .../page``); fields not given stay. The public page follows at once."""
    page = page_of(session, partner_id)
    if "headline" in changes:
        page.headline = " ".join((changes["headline"] or "").split())
    if "intro" in changes:
        page.intro = (changes["intro"] or "").strip()
    if "embed_origins" in changes:
        page.embed_origins = json.dumps(changes["embed_origins"])
    log(session, partner_id, actor, "page.updated", ("page", partner_id))
    page_changed(runtime, session, partner_id)
    return page


# -- publishing

def set_published(runtime, session, partner_id, actor, published: bool) -> Page:
    page = page_of(session, partner_id)
    if published == page.published:
        return page
    if published:
        unmet = domain.missing(pagecontent.requirements(session, partner_id))
        if unmet:
            raise Problem(409, "publish_requirements_unmet", "The page does not meet every requirement.",
                          missing=unmet)
    page.published = published
    page.version += 1
    session.flush()
    if published:
        runtime.emit(session, events.PAGE_PUBLISHED, page_event(session, page))
    else:
        runtime.emit(session, events.PAGE_UNPUBLISHED, {"partner_id": partner_id, "slug": page.slug,
                                                        "version": page.version, "published": False})
    log(session, partner_id, actor, "page.published" if published else "page.unpublished", ("page", partner_id))
    return page
