"""Share: the page's public address, each use case's, the embed code, and preview links
(create, list, revoke over catalog's preview-links API) for showing an unpublished page."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import fields, validate

from . import backend, forms
from .blueprint import partner_page, portal

EMBED_SIZE = (600, 800)  # the oEmbed default (docs/integrations.md)


class PreviewLinkForm(forms._Form):
    expires_in_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=30))


def embed_code(url: str, title: str) -> str:
    """The <iframe> a partner pastes into their product, for the embed view at ``url``."""
    width, height = EMBED_SIZE
    return (f'<iframe src="{url}" title="{title}" width="{width}" height="{height}" '
            'loading="lazy" style="border:0;max-width:100%"></iframe>')


def _addresses(pid: str) -> dict:
    """The page's public URL and embed code, and each shown use case's."""
    page = backend.get(f"/api/v1/partners/{pid}/page")
    page_url = page.get("public_url") or ""
    embed_url = page_url.replace("/experts/", "/embed/", 1)
    use_cases = [{"name": u["name"], "url": f"{page_url}/{u['slug']}",
                  "embed": embed_code(f"{embed_url}/{u['slug']}", u["name"])}
                 for u in backend.get(f"/api/v1/partners/{pid}/use-cases")["items"] if u.get("slug")]
    return {"page": page, "page_url": page_url, "page_embed": embed_code(embed_url, f"{g.partner['name']} Experts"),
            "use_cases": use_cases}


@portal.get("/portal/p/<pid>/share")
@partner_page
def share(pid):
    """The addresses to share, the embed code, and the live preview links."""
    return _shown(pid)


def _shown(pid: str, new_link: dict | None = None, errors: dict | None = None):
    links = backend.get(f"/api/v1/partners/{pid}/page/preview-links")["items"]
    return render_template("portal/share.html", **_addresses(pid), links=links, new_link=new_link,
                           errors=errors or {})


@portal.post("/portal/p/<pid>/share/preview-links")
@partner_page
def create_preview_link(pid):
    """A new preview link; its URL is shown on this answer only (catalog keeps its hash)."""
    values, errors = forms.read(PreviewLinkForm, request.form)
    if errors:
        return _shown(pid, errors=errors), 422
    answer = backend.call("POST", f"/api/v1/partners/{pid}/page/preview-links", json=values)
    if not answer.ok:
        flash(answer.message, "error")
        return redirect(url_for("portal.share", pid=pid), 303)
    return _shown(pid, new_link=answer.data), 201


@portal.post("/portal/p/<pid>/share/preview-links/<link_id>/revoke")
@partner_page
def revoke_preview_link(pid, link_id):
    answer = backend.call("DELETE", f"/api/v1/partners/{pid}/page/preview-links/{link_id}")
    if answer.ok:
        flash("The preview link no longer opens the page.")
    else:
        flash(answer.message, "error")
    return redirect(url_for("portal.share", pid=pid), 303)
