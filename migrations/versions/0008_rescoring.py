"""rescoring: background jobs, and answers' scores under later rubric versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 04:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime
TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'rescorings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rubric_version_id', sa.Integer(), nullable=False),
        sa.Column('status', TEXT(length=20), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('error', TEXT(length=500), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('finished_at', UTC(), nullable=True),
        sa.ForeignKeyConstraint(['rubric_version_id'], ['rubric_versions.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_rescorings_rubric_version_id', 'rescorings', ['rubric_version_id'])
    op.create_table(
        'rescores',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('rubric_version_id', sa.Integer(), nullable=False),
        sa.Column('engine_version', TEXT(length=80), nullable=False),
        sa.Column('overall', sa.Integer(), nullable=False),
        sa.Column('criteria', sa.JSON(), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id']),
        sa.ForeignKeyConstraint(['rubric_version_id'], ['rubric_versions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'attempt_id', 'rubric_version_id', 'engine_version', name='uq_rescore'
        ),
    )
    op.create_index('ix_rescores_attempt_id', 'rescores', ['attempt_id'])


def downgrade() -> None:
    op.drop_table('rescores')
    op.drop_table('rescorings')
