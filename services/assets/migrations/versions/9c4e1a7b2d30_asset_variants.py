"""asset variants: the branded image resized at upload

Revision ID: 9c4e1a7b2d30
Revises: 4bc1ffe2a3b3
Create Date: 2026-11-29 17:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9c4e1a7b2d30'
down_revision = '4bc1ffe2a3b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('asset_variants',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['asset_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('asset_variants', schema=None) as batch_op:
        batch_op.create_index('ix_asset_variants_key', ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_variants_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('asset_variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_variants_version_id'))
        batch_op.drop_index('ix_asset_variants_key')
    op.drop_table('asset_variants')
