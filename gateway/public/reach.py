"""Reach beyond the page (API.md second round, "Public pages"): ``/embed/...`` views for an
``<iframe>`` on the partner's own sites, oEmbed (https://oembed.com, section 2) so a tool that
speaks it shows the page from its URL alone, and ``/preview/<token>``, the page as it would
look if published now, for whoever holds a preview link."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import escape

from services.common.errors import Problem

from .analytics import count_view
from .pages import BADGES, SLUG, _content, _head, not_found_page, render_page

reach = Blueprint("reach", __name__)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
PROVIDER = "Partner Experts Portal"
WIDTH, HEIGHT, MAX_SIZE = 600, 800, 4000  # oEmbed default size and the largest asked for


def frame_ancestors(origins: list[str]) -> str:
    """The CSP ``frame-ancestors`` source list of an embed view: the partner's origins, or any
    https or http page when the partner listed none (API.md: "all when the list is empty")."""
    return " ".join(origins) if origins else "*"


def embed_csp(origins: list[str]) -> str:
    base = current_app.config["PORTAL"].public_url
    parts = urlsplit(base)
    return (f"default-src 'none'; img-src 'self' {parts.scheme}://{parts.netloc} data:; style-src 'self'; "
            f"base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors(origins)}")


def _use_case(page: dict, use_case_slug: str | None) -> dict | None:
    if use_case_slug is None:
        return None
    return next((uc for uc in page.get("use_cases", []) if uc.get("slug") == use_case_slug), None)


@reach.get("/embed/<slug>")
@reach.get("/embed/<slug>/<use_case_slug>")
def embed(slug, use_case_slug=None):
    """A compact view of a published page (or one use case) for an ``<iframe>``: framable by
    the page's ``embed_origins`` (CSP ``frame-ancestors``; by any page when empty), every link
    opening in a new tab. Unknown or unpublished: 404."""
    head = _head(slug)
    if head is None:
        return not_found_page()
    page = _content(head)
    use_case = _use_case(page, use_case_slug)
    if use_case_slug is not None and use_case is None:
        return not_found_page()
    count_view(request.environ, head.partner_id, use_case["id"] if use_case else None, embed=True)
    shown = [use_case] if use_case else page.get("use_cases", [])
    body = render_template("embed_page.html", page=page, use_cases=shown, badges=BADGES,
                           full_url=page["public_url"] + (f"/{use_case_slug}" if use_case else ""))
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = embed_csp(page.get("embed_origins") or [])
    response.headers["Cache-Control"] = "public, no-cache"
    return response


@reach.get("/oembed")
def oembed():
    """oEmbed 1.0 ``rich`` answer for a public page or use case page URL under
    ``PORTAL_PUBLIC_URL``: ``{version, type, html, width, height, title, provider_name,
    provider_url}``, ``html`` an ``<iframe>`` of its ``/embed/...`` view, sized to ``maxwidth``
    and ``maxheight`` (default 600x800). 404 for any other URL or an unpublished page; 501
    for ``format`` other than json (oEmbed section 2.3.4); 400 ``invalid_parameter`` for a
    size that is not a positive whole number."""
    fmt = request.args.get("format", "json")
    if fmt != "json":
        raise Problem(501, "not_implemented", "Only format=json is served.")
    width, height = _size("maxwidth", WIDTH), _size("maxheight", HEIGHT)
    base = current_app.config["PORTAL"].public_url.rstrip("/")
    slug, use_case_slug = _page_of(request.args.get("url", ""), base)
    head = _head(slug) if slug else None
    if head is None:
        raise Problem(404, "not_found", "No published page at that URL.")
    page = _content(head)
    use_case = _use_case(page, use_case_slug)
    if use_case_slug is not None and use_case is None:
        raise Problem(404, "not_found", "No published page at that URL.")
    title = f"{page['partner']['name']} Experts" + (f": {use_case['name']}" if use_case else "")
    src = f"{base}/embed/{slug}" + (f"/{use_case_slug}" if use_case else "")
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" title="{escape(title)}" '
            f'style="border:0;max-width:100%" loading="lazy"></iframe>')
    response = jsonify({"version": "1.0", "type": "rich", "html": html, "width": width, "height": height,
                        "title": title, "provider_name": PROVIDER, "provider_url": base})
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _size(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) <= 100000:
        raise Problem(400, "invalid_parameter", f"{name} is a positive whole number of pixels.",
                      errors={name: ["a positive whole number"]})
    return min(int(raw), default, MAX_SIZE)


def _page_of(url: str, base: str) -> tuple[str | None, str | None]:
    """``(slug, use_case_slug)`` of a public page URL on ``base``'s origin, else ``(None, None)``."""
    try:
        parts, own = urlsplit(url), urlsplit(base)
    except ValueError:
        return None, None
    if (parts.scheme, parts.netloc.lower()) != (own.scheme, own.netloc.lower()):
        return None, None
    segments = parts.path.split("/")
    if len(segments) in (3, 4) and segments[0] == "" and segments[1] == "experts" \
            and all(SLUG.match(s) for s in segments[2:]):
        return segments[2], (segments[3] if len(segments) == 4 else None)
    return None, None


@reach.get("/preview/<token>")
def preview(token):
    """The page of a live preview link as it would look if published now, read from catalog
    (not the read model): ``noindex`` (meta and ``X-Robots-Tag``), ``Cache-Control: private,
    no-store``; 404 for an unknown, expired or revoked link."""
    answer = None
    if TOKEN.match(token):
        catalog = current_app.extensions["clients"]["catalog"]
        answer = catalog.call("GET", f"/internal/v1/previews/{token}", current_app.config["PORTAL"].operator_token)
    if answer is None or answer.status_code != 200:
        if answer is not None and answer.status_code != 404:
            raise Problem(503, "service_unavailable", "Previews are unavailable right now.",
                          headers={"Retry-After": "5"})
        response = not_found_page()
    else:
        found = answer.json()
        page = found["page"]
        page["slug"] = found["slug"]
        page["public_url"] = f"{current_app.config['PORTAL'].public_url}/experts/{found['slug']}"
        response = Response(render_page(page, preview=True), mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token never leaves in a Referer
    return response
