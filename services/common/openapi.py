"""What makes each service's OpenAPI document the contract generated clients rely on.

- ``Pattern``: a regular expression written in the subset where ECMA-262 (what OpenAPI
  and JSON Schema mean by ``pattern``) and Python's ``re`` agree, documented as written
  and enforced with exactly that meaning: ``^...$`` around the whole value, no trailing
  newline slipping past ``$`` as Python's ``re.match`` would let it.
- ``PortalApi``: flask-smorest's Api documenting errors as the ``application/problem+json``
  we answer (RFC 9457), and numbers as JSON numbers (a ``Decimal`` bound, as money's
  ``Range`` has, would otherwise be documented as the string ``"1000000.00"``).
"""
from __future__ import annotations

import decimal
import http
import re

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import ValidationError, validate

from .errors import PROBLEM_JSON, ProblemSchema

# Python-only syntax, and classes whose meaning differs between the two engines
# (\d, \w, \s and \b are Unicode-aware in Python's str patterns, ASCII or differently
# defined in ECMA-262 without the u flag; `.` stops at \r, \u2028 and \u2029 only there).
NOT_PORTABLE = re.compile(r"\\[AZzdDwWsSbBG]|\(\?P|\(\?[aiLmsux]|\(\?>|[*+?}]\+")
CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]")
ANY_CHARACTER = re.compile(r"(?<!\\)\.")
NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "default")


# Python's whitespace (str.isspace, what str.split and str.strip use), spelled out: the two
# engines' \s differ (\x1c-\x1f, \x85 are Python's only, \ufeff is ECMA-262's only).
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Text is never stored with a NUL character (PostgreSQL cannot): every documented string
# says so, and "not blank" text has a character that is neither whitespace nor NUL.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^{WHITESPACE}\x00][^\x00]*$"
# pieces of URL patterns, ECMA-262 and Python alike: a DNS label (RFC 1123), a TCP port 1-65535
DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"


class Pattern(validate.Regexp):
    """A regular expression with the same meaning for the service and for any ECMA-262
    engine reading the document: ``^...$`` is the whole value (checked with ``re.fullmatch``,
    so no trailing newline slips past ``$``); without anchors, it is found anywhere
    (``re.search``), as JSON Schema's ``pattern`` is."""

    def __init__(self, pattern: str, error: str | None = None):
        if not portable(pattern):
            raise ValueError(f"not a portable pattern: {pattern!r}")
        super().__init__(pattern, error=error)
        whole = pattern.startswith("^")
        self._test = (re.compile(pattern[1:-1]).fullmatch if whole else re.compile(pattern).search)

    def __call__(self, value: str) -> str:
        if not self.matches(value):
            raise ValidationError(self._format_error(value))
        return value

    def matches(self, value: str) -> bool:
        return isinstance(value, str) and self._test(value) is not None


def portable(pattern: str) -> bool:
    """Whether ``pattern`` is in the subset both engines read alike: ``^...$`` around the whole
    value or no anchor at all, and no syntax whose meaning differs."""
    whole = pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")
    body = pattern[1:-1] if whole else pattern
    outside = CLASS.sub("", body)  # what is not inside a character class
    return (not NOT_PORTABLE.search(body)
            and not ANY_CHARACTER.search(outside) and "$" not in outside.replace("\\$", "")
            and "^" not in outside.replace("\\^", ""))


def _json_numbers(self, field, ret, **kwargs) -> dict:
    """Decimal bounds and defaults documented as JSON numbers (OpenAPI requires a number)."""
    return {key: _number(ret[key]) for key in NUMBER_KEYWORDS if isinstance(ret.get(key), decimal.Decimal)}


def _no_nul(self, field, ret, **kwargs) -> dict:
    """Strings without a pattern of their own are documented as NUL-free, as every service
    enforces (``services.common.inputs``); the portable patterns here exclude NUL already."""
    if ret.get("type") == "string" and "pattern" not in ret and ret.get("format") not in ("binary", "byte"):
        return {"pattern": NO_NUL}
    return {}


def _number(value: decimal.Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


class _Converter(OpenAPIConverter):
    """apispec's converter, plus a schema's ``Meta.json_schema`` (what a schema-level check
    such as "at least one field" enforces, in JSON Schema words)."""

    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        jsonschema.update(getattr(getattr(schema, "Meta", None), "json_schema", {}))
        return jsonschema


class _Plugin(MarshmallowPlugin):
    Converter = _Converter


class PortalApi(Api):
    """flask-smorest's Api documenting errors as the problem+json we answer."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        kwargs.setdefault("spec_kwargs", {}).setdefault("marshmallow_plugin", _Plugin())
        super().__init__(app, **kwargs)
        self.ma_plugin.converter.add_attribute_function(_json_numbers)
        self.ma_plugin.converter.add_attribute_function(_no_nul)

    def _register_responses(self):
        """flask-smorest's default responses (one per status, and ``DEFAULT_ERROR``),
        documented with the problem+json media type every error answer carries."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as RFC 9457 problem details with a stable `code`",
                    "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
