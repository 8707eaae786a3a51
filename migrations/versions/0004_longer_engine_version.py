"""scores record the meaning model with the engine version: a longer engine_version

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('scores') as batch:
        batch.alter_column(
            'engine_version', existing_type=sa.String(length=20), type_=sa.String(length=80)
        )


def downgrade() -> None:
    with op.batch_alter_table('scores') as batch:
        batch.alter_column(
            'engine_version', existing_type=sa.String(length=80), type_=sa.String(length=20)
        )
