"""Public Experts pages, served from the read model alone: HTML, the same page as JSON,
and a sitemap. Unknown and unpublished slugs answer the same 404."""
from __future__ import annotations

import json
import re
from collections import OrderedDict
from threading import Lock

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from services.common.errors import Problem

from . import readmodel
from .analytics import count_view

public = Blueprint("public", __name__)
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


def _conditional(head, kind: str, render) -> Response:
    etag = f"{head.etag}-{kind}"
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
    """The published Experts page as HTML, readable without JavaScript."""
    head = _head(slug)
    if head is None:
        return not_found_page()
    count_view(request.environ, head.partner_id)
    return _conditional(head, "html", lambda page: (render_page(page), "text/html"))


@public.get("/api/v1/public/pages/<slug>")
def experts_page_json(slug):
    """The same page as JSON."""
    head = _head(slug)
    if head is None:
        raise Problem(404, "not_found", "No such page.")
    response = _conditional(head, "json", lambda page: (json.dumps(page, separators=(",", ":")),
                                                        "application/json"))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


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


def render_page(page: dict) -> str:
    return render_template("public_page.html", page=page, badges=BADGES,
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


@public.app_template_filter("money")
def money(value) -> str:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return ""
    return f"${amount:,.0f}" if amount == int(amount) else f"${amount:,.2f}"
