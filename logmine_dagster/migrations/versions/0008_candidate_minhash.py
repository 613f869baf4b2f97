"""candidate_minhash: each candidate keeps its MinHash signature, so later days need not sign it again

Adds one nullable column; rows written before it stay valid (their texts are signed when read).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 21:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minhash', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('minhash')
