"""What catalog listens to on the bus (each handler keeps its own copy of the fields it needs)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.bus import Envelope
from services.common.consumer import Consumer
from services.common.members import (ACCESS_GRANTED, MEMBER_JOINED, MEMBER_REMOVED, MEMBER_ROLE_CHANGED,
                                     membership_handlers)
from services.common.runtime import Runtime

from . import batches, handlers, search
from .domain import APPROVED
from .models import BrandAsset, Curation, Page, PartnerVerdict, members


def make_consumer(runtime: Runtime) -> Consumer:
    member_events = membership_handlers(members)

    def on_access_granted(session: Session, envelope: Envelope) -> None:
        """A partner got portal access: it now has an (unpublished) experts page."""
        p = envelope.payload
        if session.get(Page, p["partner_id"]) is None:
            session.add(Page(partner_id=p["partner_id"], name=p["name"], slug=p["slug"]))
            handlers.log(session, p["partner_id"], "operator", "partner.access_granted", ("partner", p["partner_id"]))

    def on_member(action: str):
        def handle(session: Session, envelope: Envelope) -> None:
            p = envelope.payload
            member_events[envelope.event_type](session, envelope)
            actor = "operator" if p["role"] == "admin" and action == "member.joined" else p["account_id"]
            handlers.log(session, p["partner_id"], actor, action, ("account", p["account_id"]))
        return handle

    def on_role_changed(session: Session, envelope: Envelope) -> None:
        """An admin promoted a member (``member.promoted``) or made an admin a member (``member.demoted``)."""
        p = envelope.payload
        member_events[MEMBER_ROLE_CHANGED](session, envelope)
        action = "member.promoted" if p["role"] == "admin" else "member.demoted"
        handlers.log(session, p["partner_id"], p["changed_by"], action, ("account", p["account_id"]))

    def on_profile(session: Session, envelope: Envelope) -> None:
        """A talent profile changed: the search index follows (newest ``updated_at`` wins)."""
        if search.save_profile(session, envelope.payload):
            for partner_id in _partners_featuring(session, envelope.payload["freelancer_id"]):
                handlers.page_changed(runtime, session, partner_id)

    def on_profiles(session: Session, envelope: Envelope) -> None:
        """A batch of a bulk talent upload: profiles and verdicts applied set-based (batches.py)."""
        batches.apply_profiles(runtime, session, envelope.payload)

    def on_verdict(session: Session, envelope: Envelope) -> None:
        """Eligibility's verdict for a pair: an ineligible approved expert is removed everywhere."""
        p = envelope.payload
        verdict = session.get(PartnerVerdict, (p["partner_id"], p["freelancer_id"])) or PartnerVerdict(
            partner_id=p["partner_id"], freelancer_id=p["freelancer_id"])
        verdict.eligible, verdict.reasons, verdict.at_risk = p["eligible"], ",".join(p["reasons"]), p["at_risk"]
        session.add(verdict)
        if not p["eligible"]:
            handlers.remove_ineligible(runtime, session, p["partner_id"], p["freelancer_id"], p["reasons"])

    def on_asset(session: Session, envelope: Envelope) -> None:
        """A new brand asset: publish requirements and the page follow."""
        p = envelope.payload
        updated_at = datetime.fromisoformat(p["updated_at"].replace("Z", "+00:00"))
        asset = session.get(BrandAsset, (p["partner_id"], p["kind"]))
        if asset is not None and asset.updated_at >= updated_at:
            return
        asset = asset or BrandAsset(partner_id=p["partner_id"], kind=p["kind"])
        asset.url, asset.width, asset.height = p["url"], int(p["width"] or 0), int(p["height"])
        asset.sha256, asset.updated_at = p["sha256"], updated_at
        session.add(asset)
        handlers.log(session, p["partner_id"], p.get("uploaded_by") or "system", "asset.updated", ("asset", p["kind"]))
        handlers.page_changed(runtime, session, p["partner_id"])

    return Consumer("catalog", runtime.db, runtime.bus, runtime.inbox, {
        ACCESS_GRANTED: on_access_granted,
        MEMBER_JOINED: on_member("member.joined"),
        MEMBER_REMOVED: on_member("member.removed"),
        MEMBER_ROLE_CHANGED: on_role_changed,
        "eligibility.profile.updated": on_profile,
        "eligibility.profiles.updated": on_profiles,
        "eligibility.verdict.changed": on_verdict,
        "assets.asset.updated": on_asset,
    })


def _partners_featuring(session: Session, freelancer_id: str) -> list[str]:
    return list(session.scalars(select(Curation.partner_id).distinct().where(
        Curation.freelancer_id == freelancer_id, Curation.status == APPROVED)))
