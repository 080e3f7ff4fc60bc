"""Assets' HTTP views: thin, they authorize, read the file and hand over to handlers."""
from __future__ import annotations

from flask import Response, current_app, g, request
from flask_smorest import Blueprint

from services.common.auth import require_member
from services.common.errors import not_found
from services.common.members import require_member_of
from services.common.pagination import PageArgs, decode_cursor, page
from services.common.webapp import current_runtime

from . import handlers, schemas
from .domain import asset_kind, check_asset
from .models import members
from .storage import chunks
from .uploads import read_upload

partner_assets = Blueprint("assets", __name__, url_prefix="/api/v1/partners",
                           description="Brand assets: logos and the branded image")
files = Blueprint("files", __name__, url_prefix="/assets", description="Brand asset files, public")

IMMUTABLE = "public, max-age=31536000, immutable"
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
UPLOAD_BODY = {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": schemas.UploadSchema}}}


def _storage():
    return current_app.extensions["asset_storage"]


def _authorize(pid: str) -> None:
    with current_runtime().db.transaction() as session:
        require_member_of(session, members, pid)


@partner_assets.put("/<string:pid>/assets/<string:kind>")
@require_member
@partner_assets.doc(requestBody=UPLOAD_BODY)
@partner_assets.response(200, schemas.AssetSchema)
def upload(pid, kind):
    """Upload a brand asset: `logo-light` or `logo-dark` (SVG, at most 24px high) or
    `branded-image` (JPEG or PNG, at most 10 MB, 4:3 within 1%).

    A branded image is also stored resized, once, at each of 480, 960 and 1600 px wide that is
    narrower than it (exactly 4:3), in its own format and as WebP: `variants` lists them
    ({width, height, url, content_type, bytes}, smallest first; [] for a logo).

    The file is the raw body or the multipart field `file`, checked by its content
    (never its name or declared type); metadata is stripped from images. It becomes
    the current version of its kind at a new URL. Codes: 404 `unknown_kind`, 413
    `file_too_large`, 422 `empty_file`, `unsupported_type`, `svg_unsafe`,
    `svg_too_tall`, `svg_invalid`, `image_invalid`, `image_too_large`,
    `wrong_aspect_ratio`."""
    _authorize(pid)
    checked = check_asset(kind, read_upload(request, asset_kind(kind)))
    files = handlers.store_bytes(_storage(), pid, checked)
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        require_member_of(session, members, pid)
        version = handlers.record_upload(runtime, session, pid, g.principal.account_id, checked, files)
        return handlers.presented(version, runtime.config.public_url)


@partner_assets.get("/<string:pid>/assets")
@require_member
@partner_assets.response(200, schemas.AssetListSchema)
def list_assets(pid):
    """The current version of each kind of brand asset the partner has uploaded."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        require_member_of(session, members, pid)
        items = [handlers.presented(v, runtime.config.public_url)
                 for v in handlers.current_assets(session, pid)]
    return {"items": items, "next_cursor": None}


@partner_assets.get("/<string:pid>/assets/<string:kind>/versions")
@require_member
@partner_assets.arguments(PageArgs, location="query")
@partner_assets.response(200, schemas.AssetVersionListSchema)
def list_versions(args, pid, kind):
    """Every upload of one kind, newest first, with who uploaded it and when."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        require_member_of(session, members, pid)
        asset_kind(kind)
        rows = handlers.versions_of(session, pid, kind, args["limit"], _version_cursor(args["cursor"]))
        items = [{**handlers.presented(v, runtime.config.public_url), "uploaded_by": v.uploaded_by, "id": v.id}
                 for v in rows]
    return page(items, args["limit"], lambda item: [item["id"]])


def _version_cursor(cursor: str | None) -> int | None:
    after = decode_cursor(cursor, int)
    return after and after[0]


@files.get("/<string:partner_id>/<string:name>")
@files.doc(security=[], responses={"200": {"description": "The file, immutable",
                                          "content": {"image/*": {"schema": {"type": "string",
                                                                              "format": "binary"}}}}})
def serve(partner_id, name):
    """A brand asset file by its content address, as public pages show it (no token)."""
    key = f"{partner_id}/{name}"
    with current_runtime().db.reading() as conn:
        found = handlers.served_version(conn, key)
    if found is None:
        raise not_found("asset")
    if request.if_none_match.contains_weak(found.sha256):  # weak comparison, RFC 9110 13.1.2
        return _file_response(Response(status=304), found)
    try:
        stream = _storage().open(key)
    except FileNotFoundError:
        current_app.logger.error("asset %s is recorded but missing from storage", key)
        raise not_found("asset") from None
    response = Response(chunks(stream), content_type=found.content_type, direct_passthrough=True)
    response.content_length = found.bytes
    return _file_response(response, found)


def _file_response(response: Response, found) -> Response:
    response.set_etag(found.sha256)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    if found.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_CSP
    return response
