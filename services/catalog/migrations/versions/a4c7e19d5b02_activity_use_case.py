"""Issue 18, point 7: an activity entry may name the use case it happened in (expert
approved, declined, saved, removed; offering featured or removed).

Revision ID: a4c7e19d5b02
Revises: e5b8c2a7d913
"""
import sqlalchemy as sa
from alembic import op

revision = "a4c7e19d5b02"
down_revision = "e5b8c2a7d913"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("activity", sa.Column("use_case_id", sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("use_case_id")
