"""portal sessions

Revision ID: b7e1c2d4a9f0
Revises: 30820a4b538e
Create Date: 2026-11-29 03:10:00
"""
from alembic import op
import sqlalchemy as sa
import services.common.db


revision = 'b7e1c2d4a9f0'
down_revision = '30820a4b538e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portal_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('token_expires_at', services.common.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', services.common.db.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', services.common.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', services.common.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id_hash')
    )
    op.create_index('ix_portal_sessions_account_id', 'portal_sessions', ['account_id'])
    op.create_index('ix_portal_sessions_expires_at', 'portal_sessions', ['expires_at'])


def downgrade():
    op.drop_index('ix_portal_sessions_expires_at', table_name='portal_sessions')
    op.drop_index('ix_portal_sessions_account_id', table_name='portal_sessions')
    op.drop_table('portal_sessions')
