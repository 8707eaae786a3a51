"""rate-limit counters in the database: shared by every worker and server without Redis

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'rate_limit_counters',
        sa.Column('name', sa.String(length=255), primary_key=True),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('rate_limit_counters')
