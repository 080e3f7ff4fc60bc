"""schemathesis' "schema-valid request rejected" (ST202), with the rules the contract keeps
beyond what JSON Schema can say: a refusal passes only when it is problem+json whose ``code``
names one of them (API.md). Any other refusal of a request the document allows is a
document that promises more than the service keeps. Loaded with SCHEMATHESIS_HOOKS."""
import json
import re

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method
from schemathesis.openapi.checks import RejectedPositiveData

# code -> why no JSON Schema keyword can say it
BEYOND_JSON_SCHEMA = {
    "invalid_cursor": "a cursor is opaque: only the ones this API handed out are good (API.md)",
    "weak_password": "not among the 10,000 most common passwords, not the email (API.md, Passwords)",
    "account_not_verified": "a state of another object",
    "account_not_found": "a state of another object (no account has that email)",
    "uri_too_long": "the limit is on the whole URL (2048 characters), the sum of every parameter",
    "rate_limited": "how often, not what: 10 failed sign-ins for one account in 15 minutes (API.md)",
}
# Known gap, left for membership's email fields: the document says `format: email`, the service
# checks marshmallow's Email and email-validator (which refuse, for example, a one-letter
# top-level domain or a special-use one such as .test). Remove once those fields document
# what they enforce.
EMAIL_FIELDS = {"email", "emails", "admin_email"}
# Field messages of rules across a request's parts, which JSON Schema cannot relate
ACROSS_PARTS = {
    "Must equal the id in the path.",  # a PUT body's freelancer_id (API.md)
    "Each email once.",  # uniqueItems, and also ignoring case: A@x.com and a@x.com are one address
    "Offering ids must be unique.",  # unique by one property of the items, not whole items
    "Each origin once.",  # uniqueItems, and also ignoring case (origins are stored lowercased)
    "At most 200 freelancers in all.",  # experts:decide: approve and decline together
    "Each freelancer once, in one list.",  # experts:decide: no id in both lists
}
# Unassigned code points (Unicode category Cn, which changes with each Unicode version) are
# refused in names; the documented pattern names every other refused character
UNASSIGNED = re.compile(r"^A name is one line of text; U\+[0-9A-F]{4,6} control character is not allowed\.$")
# The portal's HTML pages are for browsers: an unknown method on them answers the portal's own
# page (its CSRF check, its not-found page), held by tests/browser and test_portal_over_http.py
HTML_PAGES = re.compile(r"^/(portal|invitations|verify-email|password-reset)(/|$)")
# The portal's forms need the CSRF token of the page that holds them: no document can hand
# one out, so a generated form post is refused with 400 (tested by the browser tests instead).
FORM = "application/x-www-form-urlencoded"


def _excused(response, case) -> bool:
    if response.status_code == 400 and case.media_type == FORM:
        return True
    if not response.headers.get("content-type", [""])[0].startswith("application/problem+json"):
        return False
    try:
        problem = json.loads(response.content)
    except ValueError:
        return False
    errors = problem.get("errors") or {}
    if problem.get("code") in BEYOND_JSON_SCHEMA:
        return True
    return isinstance(errors, dict) and bool(errors) and all(
        field in EMAIL_FIELDS or _only(messages, ACROSS_PARTS) for field, messages in errors.items())


def _only(errors, allowed: set) -> bool:
    messages = []

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        else:
            messages.append(value)
    collect(errors or {})
    return bool(messages) and all(message in allowed or UNASSIGNED.match(str(message)) for message in messages)


@schemathesis.check
def positive_data_acceptance_by_contract(ctx, response, case):
    """ST202, except the refusals ``BEYOND_JSON_SCHEMA`` lists."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if _excused(response, case):
            return None
        raise


@schemathesis.check
def unsupported_method_on_the_api(ctx, response, case):
    """ST204 (an undeclared method answers 405 with ``Allow``) on every path but ``HTML_PAGES``."""
    if HTML_PAGES.match(case.operation.path):
        return None
    return unsupported_method(ctx, response, case)
