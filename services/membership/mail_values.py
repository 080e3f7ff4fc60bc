"""What user or operator text may put into a mail: addresses checked by email-validator (the
address grammar of RFC 5321/5322 with RFC 6531/6532 internationalised addresses, IDNA 2008
domains) and names that are one line of printable text. The mailer builds every header with
the email library from these values only (docs/security.md, "Mail")."""
from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

# Unicode categories no name may hold: controls (CR, LF, NUL, TAB, DEL, C1 such as NEL),
# line and paragraph separators (U+2028, U+2029), surrogates and unassigned code points;
# plus the bidirectional embeddings, overrides and isolates that can make a subject read
# other than it is (CVE-2021-42574). Joiners (U+200C, U+200D), which names in several
# scripts need, stay allowed.
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs", "Cn"})
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = re.compile(r"\s+")


def refused_character(text: str) -> str | None:
    """The first character of ``text`` a name may not hold, as ``U+XXXX NAME``, or None."""
    for char in text:
        if unicodedata.category(char) in REFUSED_CATEGORIES or char in BIDI_CONTROLS:
            return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
    return None


def one_line(text: str) -> str:
    """``text`` as one line of printable text: every refused character and run of spaces
    becomes one space. For names stored before names were checked."""
    cleaned = "".join(" " if unicodedata.category(c) in REFUSED_CATEGORIES or c in BIDI_CONTROLS else c
                      for c in text)
    return _SPACES.sub(" ", cleaned).strip()


class AddressRefused(ValueError):
    """An address no mail can be sent to; the message says why, for a person."""


def checked_address(text: str):
    """email-validator's reading of ``text`` (``.normalized``, ``.ascii_email``), without a DNS
    look-up; ``AddressRefused`` for anything that is not one deliverable address."""
    try:
        return validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AddressRefused(str(exc)) from exc
