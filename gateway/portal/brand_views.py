"""Brand assets: each of the three uploaded with its rules beside the field, the server's
own message on refusal, and previews on light and dark backgrounds."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services.common.errors import Problem

from . import backend
from .blueprint import partner_page, portal
from .words import ASSET_KINDS


@portal.get("/portal/p/<pid>/assets")
@partner_page
def brand(pid):
    return _brand_page(pid, {})


def _brand_page(pid: str, errors: dict, status: int = 200):
    current = {a["kind"]: a for a in backend.get(f"/api/v1/partners/{pid}/assets")["items"]}
    return render_template("portal/assets.html", kinds=ASSET_KINDS, current=current, errors=errors), status


@portal.post("/portal/p/<pid>/assets/<kind>")
@partner_page
def upload_asset(pid, kind):
    if kind not in ASSET_KINDS:
        raise Problem(404, "not_found", "There is no such brand asset.")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _brand_page(pid, {kind: "Choose a file first."}, 422)
    # Re-sent as the raw body: assets judges the file by its content, never by the type the
    # browser guessed from its name (one it named multipart/form-data would be read as a form).
    answer = backend.call("PUT", f"/api/v1/partners/{pid}/assets/{kind}", body=upload.stream,
                          content_type="application/octet-stream")
    if not answer.ok:
        return _brand_page(pid, {kind: answer.message}, answer.status)
    flash(f"{ASSET_KINDS[kind]['title']} updated.")
    return redirect(url_for("portal.brand", pid=pid), 303)
