"""shard_staging: shard steps hand over through the database, not a folder every worker shares

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'shard_staging',
        sa.Column('step', sa.String(length=40), primary_key=True),
        sa.Column('day', sa.String(length=10), primary_key=True),
        sa.Column('run_id', sa.String(length=100), primary_key=True),
        sa.Column('shard_count', sa.Integer(), primary_key=True),
        sa.Column('shard', sa.Integer(), primary_key=True),
        sa.Column('part', sa.Integer(), primary_key=True),
        sa.Column('payload_json', sa.Text(), nullable=False),
        sa.Column('staged_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_shard_staging_staged_at', 'shard_staging', ['staged_at'])


def downgrade() -> None:
    op.drop_index('ix_shard_staging_staged_at', table_name='shard_staging')
    op.drop_table('shard_staging')
