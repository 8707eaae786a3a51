"""used sign-up links: a link that made an account stays used after the account is deleted

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'used_signup_links',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index('ix_used_signup_links_expires_at', 'used_signup_links', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_used_signup_links_expires_at', table_name='used_signup_links')
    op.drop_table('used_signup_links')
