"""A service's refusal in the product's words (issue 18, point 5): which input is wrong and
why, never a raw field dictionary or a validator's message ("Length must be between 10 and
1024."). Marshmallow's field errors arrive as ``{field: [messages]}``, nested by list index
for lists (``{"emails": {"1": ["Not a valid email address."]}}``); each is said as a sentence
naming the input by its label, its position and, when known, what was typed."""
from __future__ import annotations

import re

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

LABELS = {
    "emails": "email address", "email": "email address", "name": "name", "description": "description",
    "message": "message", "password": "password", "freelancer_ids": "freelancer", "approve": "freelancer",
    "decline": "freelancer", "q": "search text", "skill": "skill", "country": "country", "min_jss":
    "minimum Job Success Score", "max_rate": "maximum hourly rate", "headline": "headline", "intro": "introduction",
    "kind": "kind", "offering_id": "offering", "role": "role", "cursor": "page of results",
}

CODES = {
    "use_case_exists": "You already have a use case with this name.",
    "already_member": "That person is already a member of the team.",
    "admin_only": "Only an admin of the team can do this.",
    "not_eligible": "This freelancer does not meet the criteria.",
    "talent_not_found": "Some of the selected freelancers are no longer in the talent directory.",
    "publish_requirements_unmet": "The page cannot be published yet.",
    "rate_limited": "Too many attempts in a short time; wait a minute and try again.",
}

_LENGTH_BETWEEN = re.compile(r"Length must be between (\d+) and (\d+)\.")
_SHORTER = re.compile(r"Shorter than minimum length (\d+)\.")
_LONGER = re.compile(r"Longer than maximum length (\d+)\.")


def _phrase(message: str) -> str:
    """One validator message as a product phrase (what the input must be)."""
    if m := _LENGTH_BETWEEN.fullmatch(message):
        low, high = m.groups()
        return f"must be {low} to {high} characters long"
    if m := _SHORTER.fullmatch(message):
        return "must not be empty" if m.group(1) == "1" else f"must be at least {m.group(1)} characters long"
    if m := _LONGER.fullmatch(message):
        return f"must be at most {m.group(1)} characters long"
    known = {
        "Not a valid email address.": "is not a valid email address",
        "Missing data for required field.": "is missing",
        "Field may not be null.": "is missing",
        "Not a valid integer.": "must be a whole number",
        "Not a valid number.": "must be a number",
        "Not a valid string.": "must be text",
        "Must not be blank.": "must not be blank",
        "Unknown field.": "is not expected here",
    }
    return known.get(message, message[:1].lower() + message[1:].rstrip("."))


def field_sentences(errors: dict, values: dict | None = None) -> list[str]:
    """Each field error as a sentence: "The second email address, 'x@', is not a valid email address.\""""
    sentences = []
    for field, messages in (errors or {}).items():
        label = LABELS.get(field, field.replace("_", " "))
        if isinstance(messages, dict):  # a list's items by index
            typed = (values or {}).get(field)
            for index, inner in sorted(messages.items(), key=lambda kv: int(kv[0]) if str(kv[0]).isdigit() else 0):
                position = int(index) if str(index).isdigit() else None
                what = (f"The {ORDINALS[position]} {label}" if position is not None and position < len(ORDINALS)
                        else f"{label.capitalize()} number {position + 1}" if position is not None else f"The {label}")
                shown = typed[position] if isinstance(typed, list) and position is not None and position < len(typed) else None
                for message in _flat(inner):
                    sentences.append(f"{what}, '{shown}', {_phrase(message)}." if shown
                                     else f"{what} {_phrase(message)}.")
        else:
            for message in _flat(messages):
                sentences.append(f"The {label} {_phrase(message)}.")
    return sentences


def _flat(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for inner in messages.values() for m in _flat(inner)]
    return [str(m) for m in messages or []]


def problem(answer, values: dict | None = None) -> str:
    """A refused call (``backend.Answer``) as one or more sentences for people."""
    data = answer.data or {}
    sentences = field_sentences(data.get("errors") or {}, values)
    if sentences:
        return " ".join(sentences)
    return CODES.get(answer.code or "") or data.get("detail") or data.get("title") or "That did not work; try again."
