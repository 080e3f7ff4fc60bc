"""public assets carry the branded image's resized variants

Revision ID: e5b2c8d1f7a3
Revises: d3a9f1c7e2b4
Create Date: 2026-11-29 17:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b2c8d1f7a3'
down_revision = 'd3a9f1c7e2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('public_assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variants', sa.Text(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('public_assets', schema=None) as batch_op:
        batch_op.drop_column('variants')
