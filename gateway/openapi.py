"""One OpenAPI document for the whole public contract, merged from the services' own
documents (only the paths the gateway routes to them), plus readable docs at ``/docs``."""
from __future__ import annotations

import copy
import json
import re
import threading
import time

import requests
from flask import Blueprint, current_app, jsonify, render_template

from .routes import owner_of

docs = Blueprint("docs", __name__)
PUBLIC_PATHS = {
    "/experts/{slug}": {"get": {"tags": ["Public"], "summary": "A published Experts page as HTML",
                                "parameters": [{"name": "slug", "in": "path", "required": True,
                                                "schema": {"type": "string"}}],
                                "security": [],
                                "responses": {"200": {"description": "The page", "content": {"text/html": {}}},
                                              "304": {"description": "Not modified"},
                                              "404": {"description": "Unknown or unpublished"}}}},
    "/api/v1/public/pages/{slug}": {"get": {"tags": ["Public"], "summary": "A published Experts page as JSON",
                                            "parameters": [{"name": "slug", "in": "path", "required": True,
                                                            "schema": {"type": "string"}}],
                                            "security": [],
                                            "responses": {"200": {"description": "The page",
                                                                  "content": {"application/json": {}}},
                                                          "304": {"description": "Not modified"},
                                                          "404": {"description": "Unknown or unpublished"}}}},
    "/sitemap.xml": {"get": {"tags": ["Public"], "summary": "Published pages", "security": [],
                             "responses": {"200": {"description": "Sitemap",
                                                   "content": {"application/xml": {}}}}}},
    "/healthz": {"get": {"tags": ["Health"], "summary": "Liveness", "security": [],
                         "responses": {"200": {"description": "Alive"}}}},
    "/readyz": {"get": {"tags": ["Health"], "summary": "Readiness", "security": [],
                        "responses": {"200": {"description": "Ready"}, "503": {"description": "Not ready"}}}},
}


class MergedSpec:
    """Fetches each service's document (cached for ``ttl`` seconds) and merges them."""

    def __init__(self, service_urls: dict, ttl: float = 60.0, own_paths: dict | None = None):
        self.service_urls, self.ttl, self.own_paths = service_urls, ttl, own_paths or {}
        self._cached, self._at, self._lock = None, 0.0, threading.Lock()

    def document(self) -> dict:
        with self._lock:
            if self._cached is None or time.monotonic() - self._at > self.ttl:
                self._cached, self._at = self._merge(), time.monotonic()
            return self._cached

    def _merge(self) -> dict:
        merged = {"openapi": "3.0.3",
                  "info": {"title": "Partner Experts Portal", "version": "v1",
                           "description": "The public contract, served by the gateway."},
                  "paths": copy.deepcopy({**PUBLIC_PATHS, **self.own_paths}),
                  "components": {"schemas": {}, "securitySchemes": {
                      "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
                  "security": [{"bearerAuth": []}], "tags": [{"name": "Public"}, {"name": "Health"}]}
        for service, url in self.service_urls.items():
            try:
                spec = requests.get(f"{url}/openapi.json", timeout=2).json()
            except (requests.RequestException, ValueError):
                continue
            _absorb(merged, service, spec)
        return merged


def _absorb(merged: dict, service: str, spec: dict) -> None:
    prefix = service.capitalize()
    text = json.dumps(spec)
    for section, items in spec.get("components", {}).items():
        for name in items:
            text = text.replace(f'"#/components/{section}/{name}"', f'"#/components/{section}/{prefix}{name}"')
    spec = json.loads(text)
    for section, items in spec.get("components", {}).items():
        if section == "securitySchemes":
            continue
        for name, item in items.items():
            merged["components"].setdefault(section, {})[f"{prefix}{name}"] = item
    for path, item in spec.get("paths", {}).items():
        if owner_of(re.sub(r"\{[^}]+\}", "x", path)) == service:
            merged["paths"][path] = item
    for tag in spec.get("tags", []):
        merged["tags"].append({**tag, "name": tag["name"]})


@docs.get("/openapi.json")
def openapi_json():
    """The whole public contract as OpenAPI 3."""
    return jsonify(current_app.extensions["openapi"].document())


@docs.get("/docs")
def api_docs():
    """Readable API documentation, rendered on the server."""
    spec = current_app.extensions["openapi"].document()
    return render_template("docs.html", spec=spec)
