"""password resets, two-factor sign-in and ended sessions

Revision ID: c4a81f2e9d57
Revises: 7b3e91c4d2a0
Create Date: 2026-11-30 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import services.common.db


revision = 'c4a81f2e9d57'
down_revision = '7b3e91c4d2a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_security',
        sa.Column('account_id', sa.String(length=36), nullable=False),
        sa.Column('sessions_valid_after', services.common.db.UTCDateTime(), nullable=True),
        sa.Column('totp_secret', sa.String(length=64), nullable=True),
        sa.Column('totp_enabled_at', services.common.db.UTCDateTime(), nullable=True),
        sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id'),
    )
    op.create_table(
        'password_resets',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', services.common.db.UTCDateTime(), nullable=False),
        sa.Column('expires_at', services.common.db.UTCDateTime(), nullable=False),
        sa.Column('used_at', services.common.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_password_resets_account_id', 'password_resets', ['account_id'], unique=False)
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('account_id', sa.String(length=36), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', services.common.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', 'code_hash'),
    )
    op.create_index('ix_recovery_codes_account_id', 'recovery_codes', ['account_id'], unique=False)


def downgrade():
    op.drop_index('ix_recovery_codes_account_id', table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index('ix_password_resets_account_id', table_name='password_resets')
    op.drop_table('password_resets')
    op.drop_table('account_security')
