"""Public Experts pages, served from the read model alone: HTML, the same page as JSON,
and a sitemap. Unknown and unpublished slugs answer the same 404."""
from __future__ import annotations

import json
import re
from collections import OrderedDict
from threading import Lock

import hashlib

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request

from services.common.errors import Problem

from .. import formatting
from ..frontdoor.security import html_csp
from . import filters, readmodel
from .analytics import count_click, count_view

public = Blueprint("public", __name__)
public.record_once(lambda state: formatting.install(state.app))  # the page's and the portal's filters
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
REPLAYABLE = "portal.replayable"  # (etag, changed_at) of an answer fastpath may give again
CACHE_CONTROL = "public, no-cache"  # a CDN may keep it, but revalidates (cheap 304s) every time
BADGES = {"top_rated": "Top Rated", "top_rated_plus": "Top Rated Plus",
          "expert_vetted": "Expert-Vetted", "rising_talent": "Rising Talent"}


class RenderCache:
    """Rendered answers by ETag: a page is rendered once per change, per process."""

    def __init__(self, size: int = 512):
        self.size, self._items, self._lock = size, OrderedDict(), Lock()

    def get_or_render(self, key, render):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = render()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


CACHE = RenderCache()


def _runtime():
    return current_app.config["RUNTIME"]


def _head(slug: str):
    """The published page's head, rebuilding the read model once on a miss."""
    if not SLUG.match(slug):
        return None
    with _runtime().db.reading() as conn:
        head = readmodel.published_head(conn, slug)
    if head is None and current_app.extensions["refresher"].rebuild_on_miss():
        with _runtime().db.reading() as conn:
            head = readmodel.published_head(conn, slug)
    return head


def _content(head) -> dict:
    with _runtime().db.transaction() as session:
        page = readmodel.public_content(session, head.partner_id)
    page["slug"] = head.slug
    page["public_url"] = f"{current_app.config['PORTAL'].public_url}/experts/{head.slug}"
    return page


def _conditional(head, kind: str, render, variant: str = "") -> Response:
    """``variant``: what else the answer depends on (the visitor's filters, a use case)."""
    if variant:
        variant = "-" + hashlib.sha256(variant.encode()).hexdigest()[:16]
    etag = f"{head.etag}-{kind}{variant}"
    if _not_modified(etag, head.changed_at):
        response = Response(status=304)
    else:
        body, mimetype = CACHE.get_or_render((etag, kind), lambda: render(_content(head)))
        response = Response(body, mimetype=mimetype)
        request.environ[REPLAYABLE] = (etag, head.changed_at)
    response.set_etag(etag)
    response.last_modified = head.changed_at
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _not_modified(etag: str, changed_at) -> bool:
    if request.if_none_match:  # weak comparison (RFC 9110 13.1.2): W/"x" matches "x"
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and changed_at.replace(microsecond=0) <= since


@public.get("/experts/<slug>")
def experts_page(slug):
    """The published Experts page as HTML, readable without JavaScript. Query ``q, skill,
    country, max_rate, badge, available`` filters the cards (API.md second round); a value that
    is no filter is shown to the visitor beside its field and left out."""
    head = _head(slug)
    if head is None:
        return not_found_page()
    asked, errors = filters.parse(request.args)
    count_view(request.environ, head.partner_id)
    return _with_page_csp(_conditional(
        head, "html", lambda page: (render_page(page, asked=asked, errors=errors), "text/html"),
        variant=asked.key() + repr(sorted(errors.items())) if asked.active() or errors else ""))


def _with_page_csp(response: Response) -> Response:
    """The gateway's strict policy, with experts' photos allowed from any https address (the
    talent document's ``photo_url``); still no inline script or style."""
    csp = html_csp(current_app.config["PORTAL"].public_url)
    response.headers["Content-Security-Policy"] = csp.replace("img-src 'self'", "img-src 'self' https:", 1)
    return response


@public.get("/experts/<slug>/<use_case_slug>")
def use_case_page(slug, use_case_slug):
    """One use case as its own page (API.md second round): a slug the use case had before a
    rename answers 301 to its current one; an unknown one the HTML 404 page."""
    head = _head(slug)
    if head is None or not SLUG.match(use_case_slug):
        return not_found_page()
    page = _content(head)
    moved = (page.get("slug_redirects") or {}).get(use_case_slug)
    if moved:
        return redirect(f"/experts/{head.slug}/{moved}", 301)
    use_case = next((uc for uc in page.get("use_cases", []) if uc.get("slug") == use_case_slug), None)
    if use_case is None:
        return not_found_page()
    asked, errors = filters.parse(request.args)
    count_view(request.environ, head.partner_id, use_case["id"])
    return _with_page_csp(_conditional(
        head, "html", lambda page: (render_page(page, asked=asked, errors=errors, use_case_slug=use_case_slug),
                                    "text/html"),
        variant=f"{use_case_slug}|{asked.key()}|{sorted(errors.items())!r}"))


@public.get("/api/v1/public/pages/<slug>")
def experts_page_json(slug):
    """The same page as JSON, filtered by the same query; a bad filter value is 400
    ``invalid_parameter``."""
    head = _head(slug)
    if head is None:
        raise Problem(404, "not_found", "No such page.")
    asked, errors = filters.parse(request.args)
    if errors:
        raise Problem(400, "invalid_parameter", "A filter has a value it cannot take.",
                      errors={name: [why] for name, why in errors.items()})
    response = _conditional(head, "json", lambda page: (json.dumps(filters.apply(page, asked), separators=(",", ":")),
                                                        "application/json"), variant=asked.key() if asked.active() else "")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


GO_TARGETS = ("profile", "offering")


@public.get("/go/<slug>/<freelancer_id>")
def go(slug, freelancer_id):
    """``?to=profile`` or ``?to=offering&id=<offering_id>``: 302 to the URL the talent document
    holds for that expert, or for that offering featured in a use case of that published page,
    counted as a click (API.md second round, ``/go``). Anything else is the 404 page: the
    address always comes from the read model, never from the request."""
    head = _head(slug)
    to, offering_id = request.args.get("to"), request.args.get("id")
    if head is None or to not in GO_TARGETS or (to == "offering") != bool(offering_id):
        return not_found_page()
    url = outbound_url(_content(head), freelancer_id, offering_id if to == "offering" else None)
    if url is None:
        return not_found_page()
    count_click(request.environ, head.partner_id, freelancer_id, offering_id if to == "offering" else None)
    response = redirect(url, 302)
    response.headers["Cache-Control"] = "no-store"  # every click reaches us and is counted
    response.headers["Referrer-Policy"] = "origin"
    return response


def outbound_url(page: dict, freelancer_id: str, offering_id: str | None) -> str | None:
    """The https URL stored for an expert shown on the page (``offering_id`` None) or for one
    of their offerings featured there; None when there is none."""
    for use_case in page.get("use_cases", []):
        if offering_id is None:
            for expert in use_case.get("experts", []):
                if expert.get("freelancer_id") == freelancer_id and _https(expert.get("profile_url")):
                    return expert["profile_url"]
            continue
        for offering in use_case.get("projects", []) + use_case.get("consultations", []):
            if (offering.get("freelancer_id") == freelancer_id and offering.get("offering_id") == offering_id
                    and _https(offering.get("url"))):
                return offering["url"]
    return None


def _https(url) -> bool:
    return isinstance(url, str) and url.startswith("https://")


@public.get("/sitemap.xml")
def sitemap():
    """Every published page, for search engines."""
    with _runtime().db.transaction() as session:
        pages = readmodel.published_slugs(session)
    body = render_template("sitemap.xml", pages=pages, base=current_app.config["PORTAL"].public_url)
    return Response(body, mimetype="application/xml", headers={"Cache-Control": "public, max-age=60"})


@public.get("/robots.txt")
def robots():
    base = current_app.config["PORTAL"].public_url
    return Response(f"User-agent: *\nAllow: /experts/\nDisallow: /api/\nSitemap: {base}/sitemap.xml\n",
                    mimetype="text/plain")


def render_page(page: dict, preview: bool = False, asked: filters.Filters | None = None,
                errors: dict | None = None, use_case_slug: str | None = None) -> str:
    """The page as HTML; ``preview`` for a preview link's (``noindex``, no oEmbed discovery);
    ``asked`` the visitor's filters (``errors`` the values that were none); ``use_case_slug``
    for one use case's own page."""
    asked = asked or filters.Filters()
    shown = filters.apply(page, asked)
    if use_case_slug is not None:
        shown = {**shown, "use_cases": [uc for uc in shown["use_cases"] if uc.get("slug") == use_case_slug]}
        focus = next(uc for uc in page["use_cases"] if uc.get("slug") == use_case_slug)
    else:
        focus = None
    return render_template("public_page.html", page=page, shown=shown, badges=BADGES, preview=preview,
                           asked=asked, errors=errors or {}, choices=filters.choices(page), focus=focus,
                           json_ld=json_ld(page).replace("<", "\\u003c"))


def not_found_page() -> Response:
    return Response(render_template("not_found.html"), status=404, mimetype="text/html")


def json_ld(page: dict) -> str:
    """schema.org description of the page: the partner and its experts."""
    people = [{"@type": "Person", "name": e["name"], "jobTitle": e["title"],
               "knowsAbout": e.get("skills", [])}
              for uc in page.get("use_cases", []) for e in uc.get("experts", [])]
    return json.dumps({
        "@context": "https://schema.org", "@type": "CollectionPage",
        "name": f"{page['partner']['name']} Experts", "url": page["public_url"],
        "about": {"@type": "Organization", "name": page["partner"]["name"]},
        "mainEntity": {"@type": "ItemList", "numberOfItems": len(people),
                       "itemListElement": [{"@type": "ListItem", "position": i + 1, "item": p}
                                           for i, p in enumerate(people)]},
    })
