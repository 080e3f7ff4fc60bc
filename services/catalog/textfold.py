"""How search text is compared: one folding, in Python, for the indexed text and for the query,
so SQLite and PostgreSQL see the same tokens and neither database's own case or accent rules
decide a match (issue 16: "muller" found "Müller" on SQLite only; "u" + U+0308 found nothing).

Folding: Unicode compatibility composition (NFKC: full-width letters, ligatures), full case
folding (``ß`` is ``ss``, ``İ`` is ``i``), accents removed (``ü`` is ``u``, ``Å`` is ``a``, whether
typed composed or decomposed), and the Latin letters Unicode does not decompose written as their
base letters (``ø`` is ``o``, ``ł`` is ``l``, ``æ`` is ``ae``). Tokens are runs of letters and
digits; each Han, Hiragana or Katakana character is a token of its own, so a part of a name
written without spaces (``太郎`` in ``山田太郎``) finds it.
"""
from __future__ import annotations

import re
import unicodedata

BASE_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŧ": "t",
                              "æ": "ae", "œ": "oe", "þ": "th", "ŋ": "n", "ĸ": "q", "ʼ": None})
IDEOGRAPH = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f])")
TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """``text`` as search compares it: NFKC, case folded, without accents."""
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).translate(BASE_LETTERS)


def tokens(text: str) -> list[str]:
    """The search tokens of ``text``, folded."""
    return TOKEN.findall(IDEOGRAPH.sub(r" \1 ", fold(text)))


def search_text(*parts: str) -> str:
    """What the index stores for ``parts`` (a name, a title, skills): its tokens, space separated."""
    return " ".join(token for part in parts for token in tokens(part))
