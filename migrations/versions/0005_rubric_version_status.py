"""rubric versions gain a status (draft, published, retired), a draft's text and its revision

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rubric_versions') as batch:
        # Every version stored so far was live when it was stored: published.
        batch.add_column(
            sa.Column('status', sa.String(length=20), nullable=False, server_default='published')
        )
        batch.add_column(sa.Column('source_text', sa.Text(), nullable=True))
        batch.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(
            sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.create_index('ix_rubric_versions_status', ['status'])
    op.execute("UPDATE rubric_versions SET published_at = created_at")


def downgrade() -> None:
    op.execute("DELETE FROM rubric_versions WHERE status = 'draft'")
    with op.batch_alter_table('rubric_versions') as batch:
        batch.drop_index('ix_rubric_versions_status')
        batch.drop_column('published_at')
        batch.drop_column('revision')
        batch.drop_column('source_text')
        batch.drop_column('status')
