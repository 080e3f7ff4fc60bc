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
    # /readyz and /metrics: on GATEWAY_ADMIN_PORT only, so not part of the public document
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
                  "tags": [{"name": "Public"}, {"name": "Health"}]}
        for service, url in self.service_urls.items():
            try:
                spec = requests.get(f"{url}/openapi.json", timeout=2).json()
            except (requests.RequestException, ValueError):
                continue
            _absorb(merged, service, spec)
        _name_operations(merged)
        _link(merged)
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


METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PID, UID = "$request.path.pid", "$request.path.uid"
USE_CASES = "/api/v1/partners/{pid}/use-cases"
# (from path, method, status) -> {link name: (to path, method, parameters, request body)}:
# what an answer hands the next call, so generated clients and stateful tests can follow
LINKS = {
    ("/api/v1/accounts", "post", "201"): {
        "SignIn": ("/api/v1/sessions", "post", {},
                   {"email": "$request.body#/email", "password": "$request.body#/password"})},
    ("/api/v1/me", "get", "200"): {
        name: (path, method, {"pid": "$response.body#/partners/0/id"}, None)
        for name, path, method in (
            ("UseCases", USE_CASES, "get"), ("CreateUseCase", USE_CASES, "post"),
            ("Talent", "/api/v1/partners/{pid}/talent", "get"), ("Page", "/api/v1/partners/{pid}/page", "get"),
            ("Members", "/api/v1/partners/{pid}/members", "get"),
            ("Invitations", "/api/v1/partners/{pid}/invitations", "get"),
            ("Activity", "/api/v1/partners/{pid}/activity", "get"),
            ("Assets", "/api/v1/partners/{pid}/assets", "get"))},
    (USE_CASES, "post", "201"): {
        name: (path, method, {"pid": PID, "uid": "$response.body#/id"}, None)
        for name, path, method in (
            ("Rename", USE_CASES + "/{uid}", "patch"), ("Delete", USE_CASES + "/{uid}", "delete"),
            ("Experts", USE_CASES + "/{uid}/experts", "get"), ("SaveExperts", USE_CASES + "/{uid}/experts", "post"),
            ("Offerings", USE_CASES + "/{uid}/offerings", "get"),
            ("FeatureOffering", USE_CASES + "/{uid}/offerings", "post"))},
    (USE_CASES + "/{uid}/experts", "post", "201"): {
        name: (USE_CASES + f"/{{uid}}/experts/{{fid}}/{verb}", "post",
               {"pid": PID, "uid": UID, "fid": "$response.body#/items/0/freelancer_id"}, None)
        for name, verb in (("Approve", "approve"), ("Decline", "decline"))},
    (USE_CASES + "/{uid}/offerings", "post", "201"): {
        "Unfeature": (USE_CASES + "/{uid}/offerings/{oid}", "delete",
                      {"pid": PID, "uid": UID, "oid": "$response.body#/id"}, None)},
    ("/api/v1/partners/{pid}/invitations", "post", "201"): {
        name: (path, method, {"pid": PID, "invitation_id": "$response.body#/items/0/id"}, None)
        for name, path, method in (
            ("Revoke", "/api/v1/partners/{pid}/invitations/{invitation_id}", "delete"),
            ("Resend", "/api/v1/partners/{pid}/invitations/{invitation_id}/resend", "post"))},
    ("/api/v1/partners/{pid}/page", "get", "200"): {
        "PublicPage": ("/api/v1/public/pages/{slug}", "get", {"slug": "$response.body#/slug"}, None),
        "PublicHtml": ("/experts/{slug}", "get", {"slug": "$response.body#/slug"}, None)},
}


def _operation_id(method: str, path: str) -> str:
    """A stable, readable operationId: ``post_api_v1_partners_pid_use_cases``."""
    return "_".join([method, *re.findall(r"[A-Za-z0-9]+", path)]).lower()


def _name_operations(merged: dict) -> None:
    for path, item in merged["paths"].items():
        for method in METHODS:
            if method in item:
                item[method].setdefault("operationId", _operation_id(method, path))


def _link(merged: dict) -> None:
    """OpenAPI links (3.0.3, 4.8.20) between the operations that are in the document."""
    paths = merged["paths"]
    for (path, method, status), links in LINKS.items():
        answer = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if answer is None or "$ref" in answer:
            continue
        for name, (to_path, to_method, parameters, body) in links.items():
            target = paths.get(to_path, {}).get(to_method)
            if target is None:
                continue
            link = {"operationId": target["operationId"], "parameters": parameters}
            if body is not None:
                link["requestBody"] = body
            answer.setdefault("links", {})[name] = link


@docs.get("/openapi.json")
def openapi_json():
    """The whole public contract as OpenAPI 3."""
    return jsonify(current_app.extensions["openapi"].document())


@docs.get("/docs")
def api_docs():
    """Readable API documentation, rendered on the server."""
    spec = current_app.extensions["openapi"].document()
    return render_template("docs.html", spec=spec)
