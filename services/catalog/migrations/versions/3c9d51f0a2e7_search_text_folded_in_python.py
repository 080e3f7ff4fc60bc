"""search_text and skills_key hold text folded in Python (NFKC, case folding, no accents), the
same folding as queries, on both databases; existing rows are folded again (issue 16).

Revision ID: 3c9d51f0a2e7
Revises: fb12c732d11e
"""
import json

import sqlalchemy as sa
from alembic import op

from services.catalog import textfold

revision = "3c9d51f0a2e7"
down_revision = "fb12c732d11e"
branch_labels = None
depends_on = None

BATCH = 1000
PROFILES = sa.table("talent_profiles", sa.column("freelancer_id"), sa.column("name"), sa.column("title"),
                    sa.column("skills"), sa.column("search_text"), sa.column("skills_key"))


def upgrade():
    _refold(lambda name, title, skills: (textfold.search_text(name, title, *skills),
                                         _key(textfold.fold(s) for s in skills)))


def downgrade():
    _refold(lambda name, title, skills: (" ".join([name, title, *skills]), _key(s.lower() for s in skills)))


def _key(values) -> str:
    values = list(values)
    return "|" + "|".join(values) + "|" if values else "|"


def _refold(texts) -> None:
    bind = op.get_bind()
    after = ""
    while True:
        rows = bind.execute(sa.select(PROFILES.c.freelancer_id, PROFILES.c.name, PROFILES.c.title, PROFILES.c.skills)
                            .where(PROFILES.c.freelancer_id > after).order_by(PROFILES.c.freelancer_id)
                            .limit(BATCH)).all()
        if not rows:
            break
        values = []
        for fid, name, title, skills in rows:
            text, key = texts(name, title or "", json.loads(skills or "[]"))
            values.append({"fid": fid, "text": text, "key": key})
        bind.execute(PROFILES.update().where(PROFILES.c.freelancer_id == sa.bindparam("fid"))
                     .values(search_text=sa.bindparam("text"), skills_key=sa.bindparam("key")), values)
        after = rows[-1].freelancer_id
    if bind.dialect.name == "sqlite":
        op.execute("DELETE FROM talent_fts")
        op.execute("INSERT INTO talent_fts (freelancer_id, body) SELECT freelancer_id, search_text FROM talent_profiles")
