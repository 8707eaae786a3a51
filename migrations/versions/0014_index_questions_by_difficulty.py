"""live questions by difficulty then title: "what to practise next" walks this index to its
first match instead of sorting the whole bank

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_questions_retired_at_difficulty_title',
        'questions',
        ['retired_at', 'difficulty', 'title'],
    )


def downgrade() -> None:
    op.drop_index('ix_questions_retired_at_difficulty_title', table_name='questions')
