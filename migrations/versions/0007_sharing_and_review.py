"""sharing attempts with coaches, coaches' comments and level overrides, notifications

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 04:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime
TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'shares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('coach_id', sa.Integer(), nullable=True),
        sa.Column('token', TEXT(length=64), nullable=True),
        sa.Column('via_link', sa.Integer(), nullable=True),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('revoked_at', UTC(), nullable=True),
        sa.Column('read_at', UTC(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id']),
        sa.ForeignKeyConstraint(['coach_id'], ['users.id']),
        sa.ForeignKeyConstraint(['via_link'], ['shares.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('attempt_id', 'coach_id', name='uq_share_attempt_coach'),
        sa.UniqueConstraint('token'),
    )
    op.create_table(
        'coach_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('coach_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.Integer(), nullable=True),
        sa.Column('end', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id']),
        sa.ForeignKeyConstraint(['coach_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'level_overrides',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('coach_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', TEXT(length=80), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('engine_level', sa.Integer(), nullable=False),
        sa.Column('reason', TEXT(length=500), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('reverted_at', UTC(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id']),
        sa.ForeignKeyConstraint(['coach_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('message', TEXT(length=300), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('read_at', UTC(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    for table, column in (
        ('shares', 'attempt_id'),
        ('shares', 'coach_id'),
        ('coach_comments', 'attempt_id'),
        ('level_overrides', 'attempt_id'),
        ('notifications', 'user_id'),
    ):
        op.create_index(f'ix_{table}_{column}', table, [column])


def downgrade() -> None:
    for table in ('notifications', 'level_overrides', 'coach_comments', 'shares'):
        op.drop_table(table)
