"""admins: deactivated accounts, password resets, retired questions, labels, one taxonomy, import log

The free-text `category` duplicated `type` ("Behavioral" beside "behavioral"): a category that
names a type fills an empty type, any other becomes a tag, and the column goes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:00:00
"""

import json
import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime  # timezone-aware, as every other time column

TYPES = {
    'behavioral', 'situational', 'product-design', 'metrics', 'estimation', 'strategy',
    'execution', 'technical',
}


def _type_named(category: str) -> str | None:
    slug = re.sub(r'[^a-z0-9]+', '-', category.lower()).strip('-')
    slug = {'behavioural': 'behavioral', 'design': 'product-design'}.get(slug, slug)
    return slug if slug in TYPES else None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('deactivated_at', UTC(), nullable=True))
    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('expires_at', UTC(), nullable=False),
        sa.Column('used_at', UTC(), nullable=True),
    )
    op.create_index('ix_password_resets_user_id', 'password_resets', ['user_id'])

    questions = sa.table(
        'questions',
        sa.column('id', sa.Integer()),
        sa.column('category', sa.String()),
        sa.column('type', sa.String()),
        sa.column('tags', sa.JSON()),
    )
    connection = op.get_bind()
    for row in connection.execute(
        sa.select(questions.c.id, questions.c.category, questions.c.type, questions.c.tags)
    ).all():
        if not row.category or not row.category.strip():
            continue
        tags = row.tags if isinstance(row.tags, list) else json.loads(row.tags or '[]')
        named = _type_named(row.category)
        values: dict = {}
        if named is None:
            tag = row.category.strip()[:40]
            if tag not in tags:
                values['tags'] = [*tags, tag]
        elif row.type is None:
            values['type'] = named
        if values:
            connection.execute(
                questions.update().where(questions.c.id == row.id).values(**values)
            )
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('category')
        batch.add_column(sa.Column('retired_at', UTC(), nullable=True))
        batch.add_column(sa.Column('answer_template', sa.Text(), nullable=True))
        batch.create_index('ix_questions_retired_at', ['retired_at'])

    op.create_table(
        'question_labels',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('question_id', sa.Integer(), sa.ForeignKey('questions.id'), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.UniqueConstraint('question_id', 'kind', 'value', name='uq_question_label'),
    )
    op.create_index('ix_question_labels_question_id', 'question_labels', ['question_id'])
    op.create_index('ix_question_labels_kind_value', 'question_labels', ['kind', 'value'])
    labels = sa.table(
        'question_labels',
        sa.column('question_id', sa.Integer()),
        sa.column('kind', sa.String()),
        sa.column('value', sa.String()),
    )
    everything = sa.table(
        'questions',
        sa.column('id', sa.Integer()),
        sa.column('companies', sa.JSON()),
        sa.column('tags', sa.JSON()),
    )
    rows = []
    for row in connection.execute(sa.select(everything)).all():
        for kind, values in (('company', row.companies), ('tag', row.tags)):
            values = values if isinstance(values, list) else json.loads(values or '[]')
            rows += [{'question_id': row.id, 'kind': kind, 'value': v} for v in dict.fromkeys(values)]
    if rows:
        op.bulk_insert(labels, rows)

    op.create_table(
        'bank_imports',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('rubric_id', sa.String(length=80), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('payload', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('finished_at', UTC(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('bank_imports')
    op.drop_table('question_labels')
    with op.batch_alter_table('questions') as batch:
        batch.drop_index('ix_questions_retired_at')
        batch.drop_column('retired_at')
        batch.drop_column('answer_template')
        batch.add_column(sa.Column('category', sa.String(length=80), nullable=True))
    op.drop_table('password_resets')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('deactivated_at')
