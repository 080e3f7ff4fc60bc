"""Issue 17: preview links of a page (only each token's SHA-256).

Revision ID: e5b8c2a7d913
Revises: 7d2e4b9c1a30
"""
import sqlalchemy as sa
from alembic import op

import services.common.db

revision = "e5b8c2a7d913"
down_revision = "7d2e4b9c1a30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "preview_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", services.common.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", services.common.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_preview_links_partner_id", "preview_links", ["partner_id"])


def downgrade():
    op.drop_index("ix_preview_links_partner_id", table_name="preview_links")
    op.drop_table("preview_links")
