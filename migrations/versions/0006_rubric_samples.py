"""rubric samples: answers a coach has levelled, for calibrating a rubric's versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'rubric_samples',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rubric_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('rubric_samples') as batch:
        batch.create_index('ix_rubric_samples_rubric_id', ['rubric_id'])


def downgrade() -> None:
    op.drop_table('rubric_samples')
