"""eval set releases: versions, frozen case snapshots, membership, lineage, retirements

Adds tables only; nothing existing changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eval_set_releases',
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('parent_version', sa.String(length=40), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('case_count', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('by_category_json', sa.Text(), nullable=False),
    sa.Column('quality_json', sa.Text(), nullable=False),
    sa.Column('code_version', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('version'),
    sa.UniqueConstraint('seq')
    )
    with op.batch_alter_table('eval_set_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eval_set_releases_content_hash'), ['content_hash'], unique=False)

    op.create_table('eval_case_snapshots',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('case_hash', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('added_week', sa.String(length=10), nullable=False),
    sa.Column('source_day', sa.String(length=10), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('labelled_at', sa.String(length=40), nullable=False),
    sa.Column('case_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'case_hash')
    )
    op.create_table('eval_set_release_cases',
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('case_hash', sa.String(length=64), nullable=False),
    sa.Column('change', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['version'], ['eval_set_releases.version'], ),
    sa.PrimaryKeyConstraint('version', 'case_id')
    )
    op.create_table('eval_case_lineage',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('source_day', sa.String(length=10), nullable=False),
    sa.Column('review_week', sa.String(length=10), nullable=True),
    sa.Column('sample_reasons', sa.String(length=200), nullable=True),
    sa.Column('sample_rate', sa.Float(), nullable=True),
    sa.Column('candidate_category', sa.String(length=20), nullable=True),
    sa.Column('candidate_reasons', sa.String(length=300), nullable=True),
    sa.Column('duplicate_count', sa.Integer(), nullable=True),
    sa.Column('reviewers', sa.String(length=500), nullable=False),
    sa.Column('decided_at', sa.String(length=40), nullable=False),
    sa.Column('first_version', sa.String(length=40), nullable=False),
    sa.Column('last_changed_version', sa.String(length=40), nullable=False),
    sa.Column('code_version', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('eval_case_retirements',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('admin', sa.String(length=100), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )


def downgrade() -> None:
    op.drop_table('eval_case_retirements')
    op.drop_table('eval_case_lineage')
    op.drop_table('eval_set_release_cases')
    op.drop_table('eval_case_snapshots')
    with op.batch_alter_table('eval_set_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eval_set_releases_content_hash'))

    op.drop_table('eval_set_releases')
