"""drafts keyed by the page with integer versions, follow-ups, mock interviews, spoken answers,
and a weekly goal

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('weekly_goal', sa.Integer(), nullable=True))
    with op.batch_alter_table('attempts') as batch:
        batch.add_column(sa.Column('draft_key', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
    # Every attempt so far gets a key of its own, so the constraint holds from the start.
    op.execute("UPDATE attempts SET draft_key = 'legacy-' || id")
    with op.batch_alter_table('attempts') as batch:
        batch.create_unique_constraint(
            'uq_attempts_draft_key', ['user_id', 'question_id', 'draft_key']
        )

    op.create_table(
        'follow_ups',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('attempt_id', sa.Integer(), sa.ForeignKey('attempts.id'), nullable=False),
        sa.Column('criterion_id', sa.String(length=80), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('quote', sa.Text(), nullable=True),
        sa.Column('level_before', sa.Integer(), nullable=False),
        sa.Column('answer_text', sa.Text(), nullable=True),
        sa.Column('level_after', sa.Integer(), nullable=True),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('engine_version', sa.String(length=80), nullable=True),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('answered_at', UTC(), nullable=True),
    )
    op.create_index('ix_follow_ups_attempt_id', 'follow_ups', ['attempt_id'], unique=True)

    op.create_table(
        'mock_interviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('loop', sa.String(length=80), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('finished_at', UTC(), nullable=True),
    )
    op.create_index('ix_mock_interviews_user_id', 'mock_interviews', ['user_id'])
    op.create_table(
        'mock_questions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('mock_id', sa.Integer(), sa.ForeignKey('mock_interviews.id'), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), sa.ForeignKey('questions.id'), nullable=False),
        sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
        sa.Column('answer_text', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('seconds_used', sa.Integer(), nullable=False),
        sa.Column('started_at', UTC(), nullable=True),
        sa.Column('attempt_id', sa.Integer(), sa.ForeignKey('attempts.id'), nullable=True),
        sa.UniqueConstraint('mock_id', 'position', name='uq_mock_questions_position'),
    )
    op.create_index('ix_mock_questions_mock_id', 'mock_questions', ['mock_id'])

    op.create_table(
        'transcriptions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('question_id', sa.Integer(), sa.ForeignKey('questions.id'), nullable=False),
        sa.Column('attempt_id', sa.Integer(), sa.ForeignKey('attempts.id'), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('audio', sa.LargeBinary(), nullable=True),
        sa.Column('audio_type', sa.String(length=100), nullable=False),
        sa.Column('keep_audio', sa.Boolean(), nullable=False),
        sa.Column('transcript', sa.Text(), nullable=True),
        sa.Column('delivery', sa.JSON(), nullable=True),
        sa.Column('model', sa.String(length=100), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('finished_at', UTC(), nullable=True),
    )
    op.create_index('ix_transcriptions_user_id', 'transcriptions', ['user_id'])
    op.create_index('ix_transcriptions_attempt_id', 'transcriptions', ['attempt_id'])


def downgrade() -> None:
    op.drop_table('transcriptions')
    op.drop_table('mock_questions')
    op.drop_table('mock_interviews')
    op.drop_table('follow_ups')
    with op.batch_alter_table('attempts') as batch:
        batch.drop_constraint('uq_attempts_draft_key', type_='unique')
        batch.drop_column('version')
        batch.drop_column('draft_key')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('weekly_goal')
