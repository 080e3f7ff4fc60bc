"""Issue 17: a page's headline, intro and embed origins; use case slugs (every slug a use case
has had, so an old one answers 301); the talent document's profile_url, photo_url and
availability in the search index. Existing use cases get the slug of their name.

Revision ID: 7d2e4b9c1a30
Revises: 3c9d51f0a2e7
"""
import sqlalchemy as sa
from alembic import op

from services.catalog import domain

revision = "7d2e4b9c1a30"
down_revision = "3c9d51f0a2e7"
branch_labels = None
depends_on = None

USE_CASES = sa.table("use_cases", sa.column("id"), sa.column("partner_id"), sa.column("name"),
                     sa.column("slug"), sa.column("created_at"))
SLUGS = sa.table("use_case_slugs", sa.column("partner_id"), sa.column("slug"), sa.column("use_case_id"))


def upgrade():
    op.add_column("pages", sa.Column("headline", sa.String(80), nullable=False, server_default=""))
    op.add_column("pages", sa.Column("intro", sa.Text(), nullable=False, server_default=""))
    op.add_column("pages", sa.Column("embed_origins", sa.Text(), nullable=False, server_default="[]"))
    op.add_column("use_cases", sa.Column("slug", sa.String(60), nullable=False, server_default=""))
    for column in ("profile_url", "photo_url"):
        op.add_column("talent_profiles", sa.Column(column, sa.String(2000), nullable=True))
    op.add_column("talent_profiles", sa.Column("availability", sa.String(20), nullable=True))
    op.create_table(
        "use_case_slugs",
        sa.Column("partner_id", sa.String(36), nullable=False),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("use_case_id", sa.String(36), sa.ForeignKey("use_cases.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "slug"),
    )
    op.create_index("ix_use_case_slugs_use_case_id", "use_case_slugs", ["use_case_id"])
    _slug_existing_use_cases()


def _slug_existing_use_cases():
    conn = op.get_bind()
    taken: dict[str, set[str]] = {}
    rows = conn.execute(sa.select(USE_CASES.c.id, USE_CASES.c.partner_id, USE_CASES.c.name)
                        .order_by(USE_CASES.c.partner_id, USE_CASES.c.created_at, USE_CASES.c.id)).all()
    for use_case_id, partner_id, name in rows:
        held, slug, n = taken.setdefault(partner_id, set()), domain.slug_of(name), 1
        candidate = slug
        while candidate in held:
            n += 1
            candidate = domain.numbered_slug(slug, n)
        held.add(candidate)
        conn.execute(USE_CASES.update().where(USE_CASES.c.id == use_case_id).values(slug=candidate))
        conn.execute(SLUGS.insert().values(partner_id=partner_id, slug=candidate, use_case_id=use_case_id))


def downgrade():
    op.drop_index("ix_use_case_slugs_use_case_id", "use_case_slugs")
    op.drop_table("use_case_slugs")
    for table, column in (("talent_profiles", "availability"), ("talent_profiles", "photo_url"),
                          ("talent_profiles", "profile_url"), ("use_cases", "slug"), ("pages", "embed_origins"),
                          ("pages", "intro"), ("pages", "headline")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
