"""Catalog's HTTP views: thin, every one scoped to a partner the caller belongs to."""
from __future__ import annotations

import json

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.common.auth import require_member
from services.common.idempotency import idempotent
from services.common.members import require_member_of
from services.common.pagination import decode_cursor, page as paged
from services.common.webapp import current_runtime

from . import domain, handlers, pagecontent, schemas, search
from .models import Activity, Curation, FeaturedOffering, PartnerVerdict, TalentProfile, UseCase, members

blp = Blueprint("catalog", __name__, url_prefix="/api/v1/partners/<string:pid>",
                description="Use cases, curation, offerings, publishing")


class Scoped:
    """A transaction in which the caller is known to be a member of ``pid`` (else 404)."""

    def __init__(self, pid: str):
        self.pid, self.runtime = pid, current_runtime()

    def __enter__(self):
        self._tx = self.runtime.db.transaction()
        session = self._tx.__enter__()
        require_member_of(session, members, self.pid)
        handlers.page_of(session, self.pid)
        return session

    def __exit__(self, *exc):
        return self._tx.__exit__(*exc)


def member_guard(pid: str) -> None:
    """404 unless the caller is (still) a member of ``pid``: runs before an idempotent repeat."""
    with Scoped(pid):
        pass


def _actor() -> str:
    return g.principal.account_id


# -- use cases

@blp.get("/use-cases")
@require_member
@blp.response(200, schemas.UseCaseListSchema)
def list_use_cases(pid):
    """The partner's use cases with how many experts are in each state."""
    with Scoped(pid) as session:
        counts = {}
        for use_case_id, status, n in session.execute(
                select(Curation.use_case_id, Curation.status, func.count())
                .where(Curation.partner_id == pid).group_by(Curation.use_case_id, Curation.status)):
            counts.setdefault(use_case_id, {s: 0 for s in domain.STATUSES})[status] = n
        use_cases = session.scalars(select(UseCase).where(UseCase.partner_id == pid)
                                    .order_by(UseCase.position, UseCase.created_at))
        return {"items": [_use_case(uc, counts) for uc in use_cases]}


def _use_case(use_case: UseCase, counts: dict) -> dict:
    return {"id": use_case.id, "name": use_case.name, "slug": use_case.slug, "description": use_case.description,
            "position": use_case.position, "counts": counts.get(use_case.id, {s: 0 for s in domain.STATUSES})}


@blp.post("/use-cases")
@require_member
@idempotent
@blp.arguments(schemas.CreateUseCaseSchema)
@blp.response(201, schemas.UseCaseSchema)
def create_use_case(body, pid):
    """Create a use case (name unique per partner, ignoring case and surrounding spaces)."""
    with Scoped(pid) as session:
        use_case = handlers.create_use_case(current_runtime(), session, pid, _actor(), body["name"],
                                            body["description"])
        return _use_case(use_case, {})


@blp.patch("/use-cases/<string:uid>")
@require_member
@blp.arguments(schemas.UpdateUseCaseSchema)
@blp.response(200, schemas.UseCaseSchema)
def update_use_case(body, pid, uid):
    """Rename, describe or reorder a use case."""
    with Scoped(pid) as session:
        return _use_case(handlers.update_use_case(current_runtime(), session, pid, _actor(), uid, body), {})


@blp.delete("/use-cases/<string:uid>")
@require_member
@blp.response(204)
def delete_use_case(pid, uid):
    """Delete a use case; its curation and featured offerings go with it."""
    with Scoped(pid) as session:
        handlers.delete_use_case(current_runtime(), session, pid, _actor(), uid)


# -- talent search

@blp.get("/talent")
@require_member
@blp.arguments(schemas.TalentQuerySchema, location="query")
@blp.response(200, schemas.TalentPageSchema)
def search_talent(args, pid):
    """Search the talent directory; each result says whether it is eligible for this partner and why not."""
    after = decode_cursor(args.get("cursor"), str, str)
    with Scoped(pid) as session:
        rows = search.search(session, pid, args, after, args["limit"])
        items = [_talent(p, pid) for p in rows]
    return paged(items, args["limit"], lambda item: [item["name"], item["freelancer_id"]])


def _talent(profile: TalentProfile, pid: str) -> dict:
    eligible, reasons = search.eligible_for(profile, pid)
    return {"freelancer_id": profile.freelancer_id, "name": profile.name, "title": profile.title,
            "skills": json.loads(profile.skills), "hourly_rate": profile.hourly_rate, "jss": profile.jss,
            "badges": [b for b in profile.badges.split("|") if b], "country": profile.country,
            "eligible": eligible, "ineligible_reasons": reasons,
            "projects": json.loads(profile.projects), "consultations": json.loads(profile.consultations)}


# -- curation

@blp.post("/use-cases/<string:uid>/experts")
@require_member
@idempotent
@blp.arguments(schemas.SaveExpertsSchema)
@blp.response(201, schemas.ExpertListSchema)
def save_experts(body, pid, uid):
    """"Save changes": the selected freelancers become pending (approved ones stay)."""
    with Scoped(pid) as session:
        rows = handlers.save_experts(current_runtime(), session, pid, _actor(), uid, body["freelancer_ids"])
        return {"items": _experts(session, pid, rows)}


@blp.get("/use-cases/<string:uid>/experts")
@require_member
@blp.arguments(schemas.ExpertQuerySchema, location="query")
@blp.response(200, schemas.ExpertListSchema)
def list_experts(args, pid, uid):
    """The use case's experts, optionally of one status."""
    with Scoped(pid) as session:
        handlers.use_case_of(session, pid, uid)
        query = select(Curation).where(Curation.use_case_id == uid).order_by(Curation.freelancer_id)
        if args.get("status"):
            query = query.where(Curation.status == args["status"])
        return {"items": _experts(session, pid, session.scalars(query).all())}


def _experts(session, pid: str, rows) -> list[dict]:
    ids = [r.freelancer_id for r in rows]
    profiles = {p.freelancer_id: p for p in session.scalars(
        select(TalentProfile).where(TalentProfile.freelancer_id.in_(ids)))}
    risky = set(session.scalars(select(PartnerVerdict.freelancer_id).where(
        PartnerVerdict.partner_id == pid, PartnerVerdict.at_risk.is_(True), PartnerVerdict.freelancer_id.in_(ids))))
    return [{"freelancer_id": r.freelancer_id, "status": r.status,
             "reasons": [x for x in r.reasons.split(",") if x], "decided_at": r.decided_at,
             "decided_by": r.decided_by, "at_risk": r.freelancer_id in risky,
             **_profile_summary(profiles.get(r.freelancer_id))} for r in rows]


def _profile_summary(profile: TalentProfile | None) -> dict:
    """What a curator needs beside the decision: who it is and what they offer."""
    if profile is None:
        return {"name": None, "title": None, "hourly_rate": None, "jss": None, "country": None, "skills": [],
                "projects": [], "consultations": []}
    return {"name": profile.name, "title": profile.title, "hourly_rate": profile.hourly_rate, "jss": profile.jss,
            "country": profile.country, "skills": json.loads(profile.skills),
            "projects": json.loads(profile.projects), "consultations": json.loads(profile.consultations)}


@blp.post("/use-cases/<string:uid>/experts:decide")
@require_member
@blp.arguments(schemas.DecideExpertsSchema)
@blp.response(200, schemas.DecisionListSchema)
def decide_experts(body, pid, uid):
    """Approve and decline many at once (API.md "Partner members: new calls"): 200 with one item
    per id, ``{freelancer_id, status}``, or ``code: not_found`` (not in the use case) or
    ``code: not_eligible`` with ``reasons`` (status kept). 404 for an unknown use case,
    422 ``validation_error`` for more than 200 ids or an id named twice."""
    with Scoped(pid) as session:
        return {"items": handlers.decide_many(current_runtime(), session, pid, _actor(), uid,
                                              body["approve"], body["decline"])}


@blp.post("/use-cases/<string:uid>/experts/<string:fid>/approve")
@require_member
@blp.response(200, schemas.ExpertSchema)
def approve(pid, uid, fid):
    """Approve (check mark): the freelancer must be eligible for this partner."""
    with Scoped(pid) as session:
        row = handlers.approve(current_runtime(), session, pid, _actor(), uid, fid)
        return _experts(session, pid, [row])[0]


@blp.post("/use-cases/<string:uid>/experts/<string:fid>/decline")
@require_member
@blp.response(200, schemas.ExpertSchema)
def decline(pid, uid, fid):
    """Decline (X): a pending or approved expert moves to declined."""
    with Scoped(pid) as session:
        row = handlers.decline(current_runtime(), session, pid, _actor(), uid, fid)
        return _experts(session, pid, [row])[0]


# -- offerings

@blp.get("/use-cases/<string:uid>/offerings")
@require_member
@blp.response(200, schemas.OfferingListSchema)
def list_offerings(pid, uid):
    """Featured fixed-price projects and consultations of the use case."""
    with Scoped(pid) as session:
        handlers.use_case_of(session, pid, uid)
        rows = session.scalars(select(FeaturedOffering).where(FeaturedOffering.use_case_id == uid)
                               .order_by(FeaturedOffering.created_at)).all()
        return {"items": [_offering(session, row) for row in rows]}


def _offering(session, row: FeaturedOffering) -> dict:
    profile = session.get(TalentProfile, row.freelancer_id)
    details = pagecontent.find_offering(profile, row.kind, row.offering_id) if profile else None
    return {"id": row.id, "kind": row.kind, "offering_id": row.offering_id, "freelancer_id": row.freelancer_id,
            "freelancer_name": profile.name if profile else None,
            **{k: v for k, v in (details or {}).items() if k != "id"}}


@blp.post("/use-cases/<string:uid>/offerings")
@require_member
@idempotent
@blp.arguments(schemas.FeatureOfferingSchema)
@blp.response(201, schemas.OfferingSchema)
def feature(body, pid, uid):
    """Feature an approved freelancer's project or consultation."""
    with Scoped(pid) as session:
        row = handlers.feature(current_runtime(), session, pid, _actor(), uid, **body)
        return _offering(session, row)


@blp.delete("/use-cases/<string:uid>/offerings/<string:oid>")
@require_member
@blp.response(204)
def unfeature(pid, uid, oid):
    """Remove a featured offering (its own id, from the POST answer)."""
    with Scoped(pid) as session:
        handlers.unfeature(current_runtime(), session, pid, _actor(), uid, oid)


# -- publishing and activity

@blp.get("/page")
@require_member
@blp.response(200, schemas.PageSchema)
def get_page(pid):
    """The page's publish state, each requirement and the warnings."""
    with Scoped(pid) as session:
        return _page(session, handlers.page_of(session, pid))


def _page(session, page) -> dict:
    found = pagecontent.requirements(session, page.partner_id)
    return {"slug": page.slug, "published": page.published,
            "public_url": f"{current_runtime().config.public_url}/experts/{page.slug}",
            "headline": page.headline or "", "intro": page.intro or "",
            "embed_origins": json.loads(page.embed_origins or "[]"),
            "requirements": found, "warnings": domain.warnings(page.published, found)}


@blp.patch("/page")
@require_member
@blp.arguments(schemas.UpdatePageSchema)
@blp.response(200, schemas.PageSchema)
def update_page(body, pid):
    """Set the page's headline (1-80 characters), intro (up to 600, plain text) and the https
    origins that may frame its embed views (up to 20); answers the page (API.md second round)."""
    with Scoped(pid) as session:
        return _page(session, handlers.update_page(current_runtime(), session, pid, _actor(), body))


@blp.put("/page/published")
@require_member
@blp.arguments(schemas.PublishSchema)
@blp.response(200, schemas.PublishedSchema)
def set_published(body, pid):
    """Publish (every requirement met) or unpublish (always)."""
    with Scoped(pid) as session:
        page = handlers.set_published(current_runtime(), session, pid, _actor(), body["published"])
        return {"published": page.published}


@blp.get("/activity")
@require_member
@blp.arguments(schemas.ActivityQuerySchema, location="query")
@blp.response(200, schemas.ActivityPageSchema)
def activity(args, pid):
    """Every curation, offering, publish, asset and membership change and every automatic removal, newest first."""
    after = decode_cursor(args.get("cursor"), int)
    with Scoped(pid) as session:
        query = select(Activity).where(Activity.partner_id == pid).order_by(Activity.id.desc())
        if args.get("kind"):
            query = query.where(Activity.action.startswith(f"{args['kind']}.", autoescape=True))
        if after:
            query = query.where(Activity.id < after[0])
        entries = session.scalars(query.limit(args["limit"] + 1)).all()
        names = _subject_names(session, pid, entries)
        rows = [{"id": a.id, "at": a.at, "actor": a.actor, "action": a.action,
                 "subject": {"type": a.subject_type, "id": a.subject_id,
                             "name": names.get((a.subject_type, a.subject_id)),
                             "use_case": a.use_case_id and {"id": a.use_case_id,
                                                            "name": names.get(("use_case", a.use_case_id))}},
                 "reasons": [r for r in a.reasons.split(",") if r]}
                for a in entries]
    return paged(rows, args["limit"], lambda r: [r["id"]])


def _subject_names(session, pid: str, entries) -> dict:
    """What people call the freelancers and use cases of these entries (None once gone)."""
    ids = {kind: {a.subject_id for a in entries if a.subject_type == kind} for kind in ("freelancer", "use_case")}
    ids["use_case"] |= {a.use_case_id for a in entries if a.use_case_id}
    names = {("freelancer", fid): name for fid, name in session.execute(
        select(TalentProfile.freelancer_id, TalentProfile.name).where(TalentProfile.freelancer_id.in_(ids["freelancer"])))}
    names.update({("use_case", uid): name for uid, name in session.execute(
        select(UseCase.id, UseCase.name).where(UseCase.partner_id == pid, UseCase.id.in_(ids["use_case"])))})
    offering_ids = {a.subject_id for a in entries if a.subject_type == "offering"}
    for row in session.scalars(select(FeaturedOffering).where(FeaturedOffering.id.in_(offering_ids))):
        names[("offering", row.id)] = _offering(session, row).get("title")
    return names
