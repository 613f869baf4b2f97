"""failure_coverage: the week's production failure clusters and whether an eval case covers each

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'failure_coverage',
        sa.Column('week', sa.String(length=10), primary_key=True),
        sa.Column('cluster_id', sa.String(length=64), primary_key=True),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('signals', sa.String(length=100), nullable=False),
        sa.Column('reasons', sa.String(length=300), nullable=False),
        sa.Column('covered', sa.Boolean(), nullable=False),
        sa.Column('similarity', sa.Float(), nullable=False),
        sa.Column('nearest_eval_case', sa.String(length=64), nullable=True),
        sa.Column('member_ids', sa.Text(), nullable=False),
        sa.Column('eval_cases', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('failure_coverage')
