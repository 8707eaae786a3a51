"""question versions: a score records the version of the question it read

Since engine 2.23 a question's model answer lends the rubric examples, and its title, prompt and
hints tell the scorer what the question is about: the same answer, rubric version and engine
version score differently against an edited question. Each question counts its versions, and
every score and rescore records the one it was scored against (unknown for older rows).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    for name in ('scores', 'rescores'):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column('question_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    for name in ('rescores', 'scores'):
        with op.batch_alter_table(name) as batch:
            batch.drop_column('question_version')
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('version')
