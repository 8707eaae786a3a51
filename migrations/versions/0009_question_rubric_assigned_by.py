"""questions remember the coach who chose their rubric, so loading bank files keeps that choice

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('rubric_assigned_by', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_questions_rubric_assigned_by', 'users', ['rubric_assigned_by'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.drop_constraint('fk_questions_rubric_assigned_by', type_='foreignkey')
        batch.drop_column('rubric_assigned_by')
