"""accounts are verified by a mailed link

Accounts that existed before count as verified (they signed up before the rule and may
already be partner admins); new ones wait for their owner to open the mailed link.

Revision ID: cdece1a39070
Revises: 0083f70b4880
Create Date: 2026-11-29 15:43:23.246682
"""
from alembic import op
import sqlalchemy as sa
import services.common.db


revision = 'cdece1a39070'
down_revision = '0083f70b4880'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', services.common.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('verification_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_accounts_verification_hash', ['verification_hash'], unique=True)
    op.execute("UPDATE accounts SET verified_at = created_at")


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_accounts_verification_hash')
        batch_op.drop_column('verification_hash')
        batch_op.drop_column('verified_at')
