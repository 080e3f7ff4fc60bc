"""outgoing mail that can never be sent is set aside

A mail with ``failed_at`` set is no longer tried; ``last_error`` says why. An operator
retries it with ``python -m services.membership mail retry``.

Revision ID: 5e7f0d2a9c41
Revises: cdece1a39070
Create Date: 2026-11-29 16:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import services.common.db


revision = '5e7f0d2a9c41'
down_revision = 'cdece1a39070'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', services.common.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
