"""review app: accounts, sessions, login attempts, review slots, votes, decision details, PII flags, audit

The app's final decisions go into the existing review_decisions table (0001); nothing here changes it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:09:43.726385
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_assignments',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'slot'),
    sa.UniqueConstraint('case_id', 'reviewer', name='uq_review_assignments_case_reviewer')
    )
    op.create_table('review_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=True),
    sa.Column('before_json', sa.Text(), nullable=True),
    sa.Column('after_json', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_audit_case_id'), ['case_id'], unique=False)

    op.create_table('review_login_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('client', sa.String(length=100), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_login_attempts_attempted_at'), ['attempted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_login_attempts_name'), ['name'], unique=False)

    op.create_table('review_pii_flags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_table('review_users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('review_votes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('reviewer', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('expected_output', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('rubric_notes', sa.Text(), nullable=True),
    sa.Column('tags', sa.String(length=500), nullable=True),
    sa.Column('category_override', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'reviewer', name='uq_review_votes_case_reviewer')
    )
    with op.batch_alter_table('review_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_votes_case_id'), ['case_id'], unique=False)

    op.create_table('review_decision_details',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('rubric_notes', sa.Text(), nullable=True),
    sa.Column('tags', sa.String(length=500), nullable=True),
    sa.Column('category_override', sa.String(length=20), nullable=True),
    sa.Column('votes_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['review_decisions.id'], ),
    sa.PrimaryKeyConstraint('decision_id')
    )
    op.create_table('review_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['review_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_sessions_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_sessions_user_id'))

    op.drop_table('review_sessions')
    op.drop_table('review_decision_details')
    with op.batch_alter_table('review_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_votes_case_id'))

    op.drop_table('review_votes')
    op.drop_table('review_users')
    op.drop_table('review_pii_flags')
    with op.batch_alter_table('review_login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_login_attempts_name'))
        batch_op.drop_index(batch_op.f('ix_review_login_attempts_attempted_at'))

    op.drop_table('review_login_attempts')
    with op.batch_alter_table('review_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_audit_case_id'))
        batch_op.drop_index(batch_op.f('ix_review_audit_at'))

    op.drop_table('review_audit')
    op.drop_table('review_assignments')
