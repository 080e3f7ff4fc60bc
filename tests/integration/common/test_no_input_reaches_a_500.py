"""No input reaches a 500 (issue 16): every route of every service's OpenAPI document, driven
in-process on SQLite and on PostgreSQL with hypothesis-made hostile query parameters, cursors,
path segments and bodies (NUL, lone surrogates, huge numbers, deep nesting, wrong types, any
Unicode), answers below 500. The findings that started it (deeply nested JSON, a lone
surrogate, a cursor holding a value of the wrong type) are tests of their own first.

Hypothesis runs derandomized (a fixed seed per test), so CI sees the same inputs every time."""
from __future__ import annotations

import base64
import json
import os
import re
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from marshmallow import INCLUDE, Schema

from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.bus import Envelope, EventType
from services.common.config import Config
from services.common.inputs import MAX_JSON_DEPTH
from services.common.members import ACCESS_GRANTED, MEMBER_JOINED
from tests.support.infra import free_port
from tests.support.mail import Mailbox, verify_email

pytestmark = pytest.mark.integration

SERVICES = ("membership", "catalog", "eligibility", "assets", "webhooks")
OPERATOR = {"Authorization": "Bearer op-token"}
LIMITS = ("MEMBERSHIP_SIGNIN_LIMIT", "MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "MEMBERSHIP_ACCEPT_LIMIT")


class _Any(Schema):
    class Meta:
        unknown = INCLUDE


class Service:
    """One service's app on one database, with a partner whose admin calls it."""

    def __init__(self, name: str, app, signer: TokenSigner | None):
        self.name, self.app, self.client = name, app, app.test_client()
        self.runtime = app.config["RUNTIME"]
        self.pid, self.account = str(uuid.uuid4()), str(uuid.uuid4())
        self.signer = signer or app.extensions["token_signer"]
        self.spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()

    def member(self) -> dict:
        return {"Authorization": f"Bearer {self.signer.issue(self.account)}"}

    def seed(self) -> None:
        """The partner and its admin, told to the service as membership would tell it."""
        if self.name == "membership":
            self._seed_membership()
            return
        from importlib import import_module
        consumer = import_module(f"services.{self.name}.consumer").make_consumer(self.runtime)
        facts = {ACCESS_GRANTED: {"partner_id": self.pid, "name": "Fuzz & Co", "slug": f"fuzz-{self.pid[:8]}",
                                  "admin_account_id": self.account},
                 MEMBER_JOINED: {"partner_id": self.pid, "account_id": self.account, "role": "admin"}}
        for event_type, payload in facts.items():
            if event_type in consumer.handlers:
                consumer._apply(consumer.handlers[event_type], Envelope.new(EventType(event_type, 1, _Any), payload))

    def _seed_membership(self) -> None:
        email = f"fuzz-{self.pid[:8]}@example.com"
        account = self.client.post("/api/v1/accounts", json={"email": email, "name": "Fuzz Admin",
                                                             "password": "correct horse battery staple"})
        self.account = account.get_json()["id"]
        verify_email(lambda method, path, json: self.client.open(path, method=method, json=json),
                     Mailbox.of_app(self.client.application), email)  # access is granted to verified addresses
        partner = self.client.post("/internal/v1/partners", headers=OPERATOR,
                                   json={"name": "Fuzz & Co", "slug": f"fuzz-{self.pid[:8]}", "admin_email": email})
        if partner.status_code == 201:
            self.pid = partner.get_json()["id"]


def _build(name: str, database: str, tmp_path, postgres) -> Service:
    from importlib import import_module
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": "https://experts.example.com"}
    if database == "postgresql":
        env[f"{name.upper()}_DATABASE_URL"] = postgres.database(f"fuzz_{name[:4]}_{len(postgres.created)}")
    config = Config.from_env(name, env)
    create_app = import_module(f"services.{name}.app").create_app
    if name == "membership":
        app, signer = create_app(config), None
    else:
        keys = SigningKeys(tmp_path / "keys")
        keys.ensure()
        app, signer = create_app(config, verifier=TokenVerifier(jwks=keys.jwks)), TokenSigner(keys)
    app.config["RUNTIME"].migrate()
    service = Service(name, app, signer)
    service.seed()
    return service


@pytest.fixture(scope="module", params=[(s, d) for s in SERVICES for d in ("sqlite", "postgresql")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def service(request, tmp_path_factory, postgres):
    saved = {name: os.environ.get(name) for name in LIMITS}
    os.environ.update({name: "100000/minute" for name in LIMITS})
    built = _build(*request.param, tmp_path_factory.mktemp(request.param[0]), postgres)
    yield built
    built.runtime.close()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _call(service: Service, method: str, path: str, **kwargs):
    headers = OPERATOR if path.startswith("/internal/") else service.member()
    return service.client.open(path, method=method, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)


# -- the findings, by name

def _deep(levels: int) -> bytes:
    return b'{"name":' + b"[" * levels + b"]" * levels + b"}"


def _filled(service: Service, template: str, other: str = "x") -> str:
    """``template`` with the partner's id for the partner and ``other`` for any other parameter."""
    return re.sub(r"\{[^}]*\}", lambda m: service.pid if m.group() in ("{pid}", "{partner_id}") else other, template)


def _json_routes(service: Service):
    """(method, path) of every route taking a JSON body, the partner's id in its path."""
    for method, template, operation in _operations(service):
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            yield method, _filled(service, template)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_json_nested_deeper_than_the_limit_is_invalid_json_on_every_json_route(service, levels):
    for method, path in _json_routes(service):
        answer = _call(service, method, path, data=_deep(levels), content_type="application/json")
        assert (answer.status_code, answer.get_json()["code"]) == (400, "invalid_json"), (method, path)


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '{"\\ud83d": 1}'])
def test_a_lone_surrogate_in_a_json_body_is_a_validation_error_on_every_json_route(service, text):
    body = f'{{"name": {text}, "x": [{{"y": {text}}}]}}'.encode()
    for method, path in _json_routes(service):
        answer = _call(service, method, path, data=body, content_type="application/json")
        assert (answer.status_code, answer.get_json()["code"]) == (422, "validation_error"), (method, path)


def test_an_escaped_surrogate_pair_is_an_ordinary_character(service):
    if service.name != "catalog":
        pytest.skip("one route is enough: the pair decodes to one character before any view sees it")
    answer = _call(service, "POST", f"/api/v1/partners/{service.pid}/use-cases",
                   data=b'{"name": "Launch \\ud83d\\ude80"}', content_type="application/json")
    assert answer.status_code == 201 and answer.get_json()["name"] == "Launch \U0001F680"


def _paged_routes(service: Service):
    for method, template, operation in _operations(service):
        if method == "GET" and any(p["name"] == "cursor" for p in operation.get("parameters", [])):
            yield _filled(service, template, "logo-light")


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [_b64(["abc"]), _b64([1]), _b64(["a", "b"]), _b64([10**30]), _b64([True]),
                                    _b64({"id": 1}), _b64(None), "garbage", "", "WyJ4Il0.forged", "a" * 2049])
def test_a_cursor_the_caller_made_is_invalid_cursor_on_every_list(service, cursor):
    for path in _paged_routes(service):
        answer = _call(service, "GET", path, query_string={"cursor": cursor})
        assert answer.status_code == 400, (path, answer.get_json())
        assert answer.get_json()["code"] in ("invalid_cursor", "invalid_parameter"), path


def test_a_handed_out_cursor_works_and_any_change_to_it_is_invalid_cursor(service):
    if service.name != "catalog":
        pytest.skip("catalog's activity log has entries to page through from the start")
    for name in ("One", "Two", "Three"):
        _call(service, "POST", f"/api/v1/partners/{service.pid}/use-cases", json={"name": name})
    path = f"/api/v1/partners/{service.pid}/activity"
    cursor = _call(service, "GET", path, query_string={"limit": 1}).get_json()["next_cursor"]
    assert _call(service, "GET", path, query_string={"limit": 1, "cursor": cursor}).status_code == 200
    payload, signature = cursor.split(".")
    forged = _b64([10**6]) + "." + signature  # a later id, under the old signature
    flipped = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    for altered in (forged, flipped, payload, cursor + "x"):
        answer = _call(service, "GET", path, query_string={"cursor": altered})
        assert (answer.status_code, answer.get_json()["code"]) == (400, "invalid_cursor"), altered
    other_list = f"/api/v1/partners/{service.pid}/talent"
    assert _call(service, "GET", other_list, query_string={"cursor": cursor}).get_json()["code"] == "invalid_cursor"


# -- the kind: hypothesis over every route

SURPRISES = ["\x00", "\ud800", "a\udfffb", "u\u0308", "İ", "ß", "Ø", "\u202e", "𝔘𝔫𝔦", "漢字", "' OR 1=1 --",
             "%s%n", "../../etc/passwd", "9" * 400, "-1", "1e309", "NaN", "null", "true", "[]", "{}",
             "2026-13-45T25:61:61Z", "Z" * 5000, " ", "", "\r\nX-Injected: 1"]
TEXT = st.text(st.characters(exclude_categories=[]), max_size=40) | st.sampled_from(SURPRISES)
SCALARS = (TEXT | st.integers(min_value=-(2**200), max_value=2**200) | st.floats() | st.booleans() | st.none()
           | st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**20, 1e308, -0.0]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(TEXT, inner, max_size=4), max_leaves=10)
QUERY_TEXT = (TEXT
              | st.integers(min_value=-(2**100), max_value=2**100).map(str))
CURSORS = QUERY_TEXT | VALUES.map(_b64) | st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode())


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _plausible(spec: dict, schema: dict, depth: int = 0) -> st.SearchStrategy:
    """Values of the documented type (so a body gets past its schema and reaches the handler),
    each sometimes replaced by a hostile one."""
    schema = _resolve(spec, schema)
    if depth > 3:
        return VALUES
    kind = schema.get("type")
    if "enum" in schema:
        typed = st.sampled_from(schema["enum"])
    elif kind == "object" and "properties" in schema:
        typed = st.fixed_dictionaries({}, optional={name: _plausible(spec, sub, depth + 1)
                                                    for name, sub in schema["properties"].items()})
    elif kind == "array":
        typed = st.lists(_plausible(spec, schema.get("items", {}), depth + 1), max_size=3)
    elif kind == "integer":
        typed = st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    elif kind == "number":
        typed = st.floats(min_value=schema.get("minimum"), max_value=schema.get("maximum"), allow_nan=False)
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "string":
        typed = st.sampled_from(["2026-01-01T00:00:00Z", "https://example.com/x", "a@example.com", "US",
                                 "top_rated", "Müller"]) | TEXT
    else:
        typed = VALUES
    return st.one_of(typed, typed, VALUES)


def _operations(service: Service) -> list[tuple[str, str, dict]]:
    return [(method.upper(), path, operation) for path, operations in sorted(service.spec["paths"].items())
            for method, operation in sorted(operations.items()) if method in ("get", "post", "put", "patch", "delete")]


@st.composite
def _requests(draw, service: Service, operation):
    method, template, spec_op = operation
    spec = service.spec

    def segment(match):
        name = match.group()[1:-1]
        if name in ("pid", "partner_id") and draw(st.integers(0, 9)):
            return service.pid
        value = draw(QUERY_TEXT | st.sampled_from(["logo-light", "hero", service.account]))
        return quote(value.encode("utf-8", "surrogatepass"), safe="")

    path = re.sub(r"\{[^}]*\}", segment, template)
    query = {}
    for parameter in spec_op.get("parameters", []):
        if parameter.get("in") == "query" and draw(st.booleans()):
            values = CURSORS if parameter["name"] == "cursor" else QUERY_TEXT
            query[parameter["name"]] = draw(values | _plausible(spec, parameter.get("schema", {})).map(
                lambda v: v if isinstance(v, str) else json.dumps(v) if not isinstance(v, (int, float)) else str(v)))
    request = {"method": method, "path": path, "query_string": "&".join(  # as bytes: a lone surrogate too
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}" for name, value in query.items())}
    content = spec_op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = draw(_plausible(spec, content["application/json"].get("schema", {})) | VALUES)
        try:
            request.update(data=json.dumps(body).encode(), content_type="application/json")
        except ValueError:
            request.update(data=b"[", content_type="application/json")
    elif content:
        request.update(data=draw(st.binary(max_size=200) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))),
                       content_type=draw(st.sampled_from([*content, "application/json", "text/plain"])))
    return request


def test_no_route_answers_a_500_to_hostile_queries_cursors_paths_and_bodies(service):
    operations = _operations(service)
    assert operations, "the service documents its routes"

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data):
        operation = data.draw(st.sampled_from(operations))
        request = data.draw(_requests(service, operation))
        call = {k: v for k, v in request.items() if k not in ("method", "path")}
        answer = _call(service, request["method"], request["path"], **call)
        assert answer.status_code < 500, (request, answer.get_data(as_text=True)[:500])

    one_request()


def test_a_bulk_line_too_deep_or_with_a_lone_surrogate_is_rejected_and_the_good_lines_kept(service):
    if service.name != "eligibility":
        pytest.skip("the bulk talent upload is eligibility's")
    good = {"freelancer_id": "fl-bulk-1", "name": "Zoë", "title": "Engineer", "skills": ["Python"],
            "hourly_rate": 50, "country": "US", "jss": 90, "badges": [], "account_status": "active",
            "profile_visibility": "public", "referred_by_partner_id": None, "projects": [], "consultations": [],
            "updated_at": "2026-01-01T00:00:00Z"}
    lines = [json.dumps(good), '{"freelancer_id": "fl-bulk-2", "name": "\\ud800"}',
             '{"freelancer_id": "fl-bulk-3", "x": ' + "[" * 20_000 + "]" * 20_000 + "}",
             '{"freelancer_id": "fl-bulk-4", "x": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}"]
    answer = _call(service, "POST", "/internal/v1/talent:bulk", data="\n".join(lines).encode(),
                   content_type="application/x-ndjson")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["accepted"] == 1
    assert [(r["line"], r["code"]) for r in answer.get_json()["rejected"]] == [(2, "validation_error"),
                                                                              (3, "invalid_json"), (4, "invalid_json")]
