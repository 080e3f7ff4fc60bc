"""Search text is folded the same way on both sides of the index and on both databases (issue 16):
NFC or NFD, any case, with or without accents, ß or ss, İ, Ø, Å, Greek, Cyrillic and names in
Han characters written without spaces all find the same people on SQLite and PostgreSQL."""
from __future__ import annotations

import unicodedata

import pytest

from tests.integration.catalog.test_search_and_isolation import search

pytestmark = pytest.mark.integration

NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731  as macOS may send it

PEOPLE = {
    "fl-muller": "Jürgen Müller",
    "fl-strasse": "Anna Straße",
    "fl-ilkay": "İlkay Gündoğan",
    "fl-soren": "Søren Kierkegaard",
    "fl-asa": NFD("Åsa Ångström"),  # stored decomposed: found by composed queries too
    "fl-yamada": "山田太郎",
    "fl-francois": "François Côté",
    "fl-eleni": "Ελένη Παπαδοπούλου",
    "fl-dmitry": "Дмитрий Ёлкин",
    "fl-plain": "Mullerton Strasser",
}
QUERIES = [
    ("muller", {"fl-muller", "fl-plain"}), ("Müller", {"fl-muller", "fl-plain"}),
    (NFD("Müller"), {"fl-muller", "fl-plain"}), ("MÜLLER", {"fl-muller", "fl-plain"}),
    ("jurgen muller", {"fl-muller"}), (NFD("Jürgen"), {"fl-muller"}),
    ("straße", {"fl-strasse", "fl-plain"}), ("STRASSE", {"fl-strasse", "fl-plain"}), ("anna strasse", {"fl-strasse"}),
    ("ilkay", {"fl-ilkay"}), ("İLKAY", {"fl-ilkay"}), ("gundogan", {"fl-ilkay"}), ("Gündoğan", {"fl-ilkay"}),
    ("soren", {"fl-soren"}), ("SØREN", {"fl-soren"}),
    ("asa angstrom", {"fl-asa"}), ("Ångström", {"fl-asa"}), ("ÅSA", {"fl-asa"}),
    ("山田", {"fl-yamada"}), ("太郎", {"fl-yamada"}), ("山田太郎", {"fl-yamada"}),
    ("francois cote", {"fl-francois"}), ("FRANÇOIS", {"fl-francois"}), (NFD("Côté"), {"fl-francois"}),
    ("ελενη", {"fl-eleni"}), ("ΕΛΈΝΗ", {"fl-eleni"}), ("παπαδοπουλου", {"fl-eleni"}),
    ("ёлкин", {"fl-dmitry"}), ("ДМИТРИЙ", {"fl-dmitry"}),
    ("ｍｕｌｌｅｒ", {"fl-muller", "fl-plain"}),  # full-width, as some input methods type it
]


def test_a_name_is_found_in_any_normal_form_case_or_accent_on_both_databases(catalog):
    p = catalog.partner()
    for fid, name in PEOPLE.items():
        catalog.talent(fid, name=name, title="Consultant", skills=["Python"])
    for query, expected in QUERIES:
        found = {item["freelancer_id"] for item in search(catalog, p, q=query)["items"]}
        assert found == expected, (query, found)
    names = {item["freelancer_id"]: item["name"] for item in search(catalog, p, q="asa")["items"]}
    assert names == {"fl-asa": PEOPLE["fl-asa"]}  # shown as sent; only the index is folded


def test_skills_match_whatever_the_case_form_or_accents(catalog):
    p = catalog.partner()
    catalog.talent("fl-skill", skills=["Données", "C++", "Straße"])
    for skill, found in (("données", 1), (NFD("DONNÉES"), 1), ("donnees", 1), ("strasse", 1), ("c++", 1), ("c", 0)):
        assert len(search(catalog, p, skill=skill)["items"]) == found, skill


def test_the_migration_refolds_profiles_stored_before_it(catalog):
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import text

    p = catalog.partner()
    catalog.talent("fl-old", name=NFD("Jürgen Müller"), skills=["Données"])
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(catalog.runtime.migrations_dir))
    cfg.attributes["engine"] = catalog.runtime.db.engine
    command.downgrade(cfg, "fb12c732d11e")  # the index as it was stored before
    with catalog.runtime.db.transaction() as session:
        assert "Mu\u0308ller" in session.execute(text("SELECT search_text FROM talent_profiles")).scalar()
    command.upgrade(cfg, "head")
    for query in ("muller", "MÜLLER", NFD("jürgen")):
        assert [i["freelancer_id"] for i in search(catalog, p, q=query)["items"]] == ["fl-old"], query
    assert [i["freelancer_id"] for i in search(catalog, p, skill="donnees")["items"]] == ["fl-old"]
