"""api keys of partners, stored as the sha256 of the key

Revision ID: 7b3e91c4d2a0
Revises: 5e7f0d2a9c41
Create Date: 2026-11-30 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import services.common.db


revision = '7b3e91c4d2a0'
down_revision = '5e7f0d2a9c41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_keys',
        sa.Column('id', sa.String(length=24), nullable=False),
        sa.Column('partner_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=False),
        sa.Column('created_at', services.common.db.UTCDateTime(), nullable=False),
        sa.Column('last_used_at', services.common.db.UTCDateTime(), nullable=True),
        sa.Column('revoked_at', services.common.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
    )
    op.create_index('ix_api_keys_partner_id', 'api_keys', ['partner_id'], unique=False)


def downgrade():
    op.drop_index('ix_api_keys_partner_id', table_name='api_keys')
    op.drop_table('api_keys')
