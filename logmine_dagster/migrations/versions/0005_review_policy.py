"""review_policy: the stored reviews-per-case policy (a default row, and per-week overrides)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'review_policy',
        sa.Column('week', sa.String(length=10), primary_key=True),
        sa.Column('reviews_per_case', sa.Integer(), nullable=False),
        sa.Column('set_by', sa.String(length=100), nullable=False),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('review_policy')
