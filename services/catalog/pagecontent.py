"""What a page shows and whether it may be published, read from catalog's tables."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.bus.envelope import json_ready
from services.common.db import utcnow

from . import domain
from .models import BrandAsset, Curation, FeaturedOffering, Page, TalentProfile, UseCase, UseCaseSlug

ASSET_KEYS = {"logo-light": "logo_light", "logo-dark": "logo_dark", "branded-image": "branded_image"}


def approved_experts(session: Session, partner_id: str) -> int:
    """Distinct freelancers approved in any use case of the partner."""
    return session.execute(select(func.count(Curation.freelancer_id.distinct())).where(
        Curation.partner_id == partner_id, Curation.status == domain.APPROVED)).scalar_one()


def asset_kinds(session: Session, partner_id: str) -> set[str]:
    kinds = session.scalars(select(BrandAsset.kind).where(BrandAsset.partner_id == partner_id))
    return {ASSET_KEYS[k] for k in kinds if k in ASSET_KEYS}


def requirements(session: Session, partner_id: str) -> dict:
    return domain.requirements(approved_experts(session, partner_id), asset_kinds(session, partner_id))


def content(session: Session, page: Page) -> dict:
    """Everything the public page shows (docs/events.md ``page``)."""
    assets = {key: None for key in ASSET_KEYS.values()}
    for asset in session.scalars(select(BrandAsset).where(BrandAsset.partner_id == page.partner_id)):
        if asset.kind in ASSET_KEYS:
            assets[ASSET_KEYS[asset.kind]] = {"url": asset.url, "width": asset.width, "height": asset.height}
    use_cases = session.scalars(select(UseCase).where(UseCase.partner_id == page.partner_id)
                                .order_by(UseCase.position, UseCase.created_at)).all()
    shown = [uc for uc in (_use_case(session, use_case) for use_case in use_cases)
             if uc["experts"] or uc["projects"] or uc["consultations"]]
    return json_ready({"partner": {"id": page.partner_id, "name": page.name, "slug": page.slug},
                       "headline": page.headline or "", "intro": page.intro or "",
                       "embed_origins": json.loads(page.embed_origins or "[]"),
                       "assets": assets, "use_cases": shown,
                       "slug_redirects": _slug_redirects(session, page.partner_id, shown),
                       "updated_at": utcnow()})


def _slug_redirects(session: Session, partner_id: str, shown: list[dict]) -> dict[str, str]:
    """``{old slug: current slug}`` of the use cases shown: a renamed use case's old address
    answers 301 to its new one (API.md second round, "Public pages")."""
    current = {uc["id"]: uc["slug"] for uc in shown}
    return {row.slug: current[row.use_case_id] for row in session.scalars(
        select(UseCaseSlug).where(UseCaseSlug.partner_id == partner_id).order_by(UseCaseSlug.slug))
        if row.use_case_id in current and row.slug != current[row.use_case_id]}


def _use_case(session: Session, use_case: UseCase) -> dict:
    experts = session.scalars(select(TalentProfile).join(
        Curation, Curation.freelancer_id == TalentProfile.freelancer_id).where(
        Curation.use_case_id == use_case.id, Curation.status == domain.APPROVED).order_by(TalentProfile.name))
    names, cards = {}, []
    for p in experts:
        names[p.freelancer_id] = p
        cards.append({"freelancer_id": p.freelancer_id, "name": p.name, "title": p.title, "jss": p.jss,
                      "badges": [b for b in p.badges.split("|") if b], "hourly_rate": p.hourly_rate,
                      "skills": json.loads(p.skills), "country": p.country, "profile_url": p.profile_url,
                      "photo_url": p.photo_url, "availability": p.availability})
    offerings = {"project": [], "consultation": []}
    for featured in session.scalars(select(FeaturedOffering).where(FeaturedOffering.use_case_id == use_case.id)
                                    .order_by(FeaturedOffering.created_at)):
        profile = names.get(featured.freelancer_id)
        details = find_offering(profile, featured.kind, featured.offering_id) if profile else None
        if details is not None:
            offerings[featured.kind].append({"id": featured.id, "freelancer_id": featured.freelancer_id,
                                             "freelancer_name": profile.name, "offering_id": featured.offering_id,
                                             **{k: v for k, v in details.items() if k != "id"}})
    return {"id": use_case.id, "name": use_case.name, "slug": use_case.slug, "description": use_case.description,
            "position": use_case.position, "experts": cards, "projects": offerings["project"],
            "consultations": offerings["consultation"]}


def find_offering(profile: TalentProfile, kind: str, offering_id: str) -> dict | None:
    """The offering in the freelancer's talent document, or None."""
    listed = json.loads(profile.projects if kind == "project" else profile.consultations)
    return next((o for o in listed if o.get("id") == offering_id), None)
