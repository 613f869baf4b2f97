"""inclusion probabilities, duplicate ids and novelty, batch reasons, rubric notes and tags,
session idle time, synthetic cases

Adds nullable columns (or columns with a server default) and one table; existing rows stay valid.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 19:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_NEW_COLUMNS = {
    'raw_samples': [sa.Column('inclusion_probability', sa.Float(), nullable=True)],
    'sanitised_samples': [sa.Column('inclusion_probability', sa.Float(), nullable=True)],
    'candidates': [
        sa.Column('duplicate_ids', sa.Text(), nullable=True),
        sa.Column('novelty', sa.Float(), nullable=True),
    ],
    'review_queue': [sa.Column('why', sa.Text(), nullable=True)],
    'labelled_cases': [
        sa.Column('rubric_notes', sa.Text(), nullable=True),
        sa.Column('tags', sa.String(length=500), nullable=True),
    ],
    'eval_cases': [
        sa.Column('origin', sa.String(length=20), nullable=False, server_default='mined'),
        sa.Column('rubric_notes', sa.Text(), nullable=True),
        sa.Column('tags', sa.String(length=500), nullable=True),
    ],
    'review_sessions': [sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True)],
}


def upgrade() -> None:
    for table, columns in _NEW_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(column)
    op.create_table('synthetic_cases',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('input_json', sa.Text(), nullable=False),
    sa.Column('expected_output', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('tags', sa.String(length=500), nullable=True),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )


def downgrade() -> None:
    op.drop_table('synthetic_cases')
    for table, columns in reversed(list(_NEW_COLUMNS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column.name)
