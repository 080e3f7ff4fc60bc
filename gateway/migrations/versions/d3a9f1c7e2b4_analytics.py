"""analytics counts, visitors and daily salts

Revision ID: d3a9f1c7e2b4
Revises: b7e1c2d4a9f0
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd3a9f1c7e2b4'
down_revision = 'b7e1c2d4a9f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_counts',
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'day', 'metric', 'key')
    )
    op.create_table('analytics_visitors',
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visitor', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'day', 'visitor')
    )
    op.create_table('analytics_salts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )


def downgrade():
    op.drop_table('analytics_salts')
    op.drop_table('analytics_visitors')
    op.drop_table('analytics_counts')
