"""Assets' use cases: one function per command or question."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import utcnow
from services.common.runtime import Runtime

from . import events
from .domain import KINDS, CheckedAsset
from .models import AssetVariant, AssetVersion
from .storage import AssetStorage, object_key
from .variants import Variant, make_variants


@dataclass(frozen=True)
class StoredFiles:
    """Where an upload's file and its resized variants were written."""

    key: str
    variants: list[tuple[Variant, str]]


def store_bytes(storage: AssetStorage, partner_id: str, checked: CheckedAsset) -> StoredFiles:
    """Write the checked file and its variants (a branded image's resized copies, made once
    here) under their content addresses, before the commit: an orphan is harmless."""
    key = object_key(partner_id, checked.sha256, checked.extension)
    storage.put(key, checked.data, checked.content_type)
    stored = []
    for variant in make_variants(checked.content_type, checked.data):
        variant_key = object_key(partner_id, variant.sha256, variant.extension)
        storage.put(variant_key, variant.data, variant.content_type)
        stored.append((variant, variant_key))
    return StoredFiles(key, stored)


def record_upload(runtime: Runtime, session: Session, partner_id: str, account_id: str,
                  checked: CheckedAsset, files: StoredFiles) -> AssetVersion:
    """Make the upload the current version of its kind and announce it.

    Uploading the file that is already current changes nothing (PUT is idempotent).
    """
    current = current_version(session, partner_id, checked.kind)
    if current is not None and current.sha256 == checked.sha256:
        return current
    version = AssetVersion(partner_id=partner_id, kind=checked.kind, sha256=checked.sha256, key=files.key,
                           content_type=checked.content_type, width=checked.width, height=checked.height,
                           bytes=len(checked.data), uploaded_by=account_id, uploaded_at=utcnow(),
                           variants=[AssetVariant(key=key, content_type=v.content_type, width=v.width,
                                                  height=v.height, bytes=len(v.data), sha256=v.sha256)
                                     for v, key in files.variants])
    session.add(version)
    session.flush()
    runtime.emit(session, events.ASSET_UPDATED, {
        "partner_id": partner_id, **presented(version, runtime.config.public_url), "uploaded_by": account_id})
    return version


def current_version(session: Session, partner_id: str, kind: str) -> AssetVersion | None:
    return session.scalar(select(AssetVersion).where(
        AssetVersion.partner_id == partner_id, AssetVersion.kind == kind)
        .order_by(AssetVersion.id.desc()).limit(1))


def current_assets(session: Session, partner_id: str) -> list[AssetVersion]:
    """The current version of each kind the partner has uploaded, in the order of KINDS."""
    found = (current_version(session, partner_id, kind) for kind in KINDS)
    return [version for version in found if version is not None]


def versions_of(session: Session, partner_id: str, kind: str, limit: int,
                before_id: int | None) -> list[AssetVersion]:
    """Every upload of a kind, newest first; `limit + 1` rows to tell whether more follow."""
    query = select(AssetVersion).where(AssetVersion.partner_id == partner_id, AssetVersion.kind == kind)
    if before_id is not None:
        query = query.where(AssetVersion.id < before_id)
    return list(session.scalars(query.order_by(AssetVersion.id.desc()).limit(limit + 1)))


def served_version(conn, key: str):
    """What to serve under `key`, only when an upload recorded it (an original or one of its
    variants): (content_type, bytes, sha256)."""
    columns = lambda table: select(table.content_type, table.bytes, table.sha256).where(table.key == key)
    return conn.execute(columns(AssetVersion).union_all(columns(AssetVariant)).limit(1)).first()


def asset_url(public_url: str, key: str) -> str:
    """Built from PORTAL_PUBLIC_URL, never from the request's Host header."""
    return f"{public_url}/assets/{key}"


def presented(version: AssetVersion, public_url: str) -> dict:
    """What the API answers and the event carries about a version."""
    return {"kind": version.kind, "url": asset_url(public_url, version.key),
            "content_type": version.content_type, "width": version.width, "height": version.height,
            "bytes": version.bytes, "sha256": version.sha256, "updated_at": version.uploaded_at,
            "variants": [{"width": v.width, "height": v.height, "url": asset_url(public_url, v.key),
                          "content_type": v.content_type, "bytes": v.bytes} for v in version.variants]}
