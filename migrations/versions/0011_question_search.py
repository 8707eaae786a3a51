"""full-text search over questions' titles and prompts, with stemming; live questions by title

SQLite: an FTS5 table (porter stemmer over unicode61) reading its text from `questions`
(external content), kept in step by triggers. PostgreSQL: a GIN index on the English tsvector
that `app.practice.services` searches with. Neither is in the models (they describe no table
SQLModel can create), so tests/unit/test_migrations.py leaves them out of its comparison.

A later migration that rebuilds `questions` with `batch_alter_table` on SQLite drops these
triggers with the old table: it must create them again (call `create_sqlite_triggers`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = {
    'questions_fts_insert': """
        CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN
            INSERT INTO questions_fts (rowid, title, prompt)
            VALUES (new.id, new.title, new.prompt);
        END""",
    'questions_fts_delete': """
        CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN
            INSERT INTO questions_fts (questions_fts, rowid, title, prompt)
            VALUES ('delete', old.id, old.title, old.prompt);
        END""",
    'questions_fts_update': """
        CREATE TRIGGER questions_fts_update AFTER UPDATE OF title, prompt ON questions BEGIN
            INSERT INTO questions_fts (questions_fts, rowid, title, prompt)
            VALUES ('delete', old.id, old.title, old.prompt);
            INSERT INTO questions_fts (rowid, title, prompt)
            VALUES (new.id, new.title, new.prompt);
        END""",
}


def create_sqlite_triggers() -> None:
    for statement in SQLITE_TRIGGERS.values():
        op.execute(statement)


def upgrade() -> None:
    # The list of live questions by title, a page at a time: with this index a page (the 250th
    # too) and the count read index entries only, never every question.
    op.create_index('ix_questions_retired_at_title', 'questions', ['retired_at', 'title'])
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE questions_fts USING fts5(title, prompt, content='questions',"
            " content_rowid='id', tokenize='porter unicode61')"
        )
        create_sqlite_triggers()
        op.execute("INSERT INTO questions_fts (questions_fts) VALUES ('rebuild')")
    elif dialect == 'postgresql':
        op.execute(
            "CREATE INDEX ix_questions_fts ON questions"
            " USING gin (to_tsvector('english', title || ' ' || prompt))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in SQLITE_TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS questions_fts')
    elif dialect == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_questions_fts')
    op.drop_index('ix_questions_retired_at_title', table_name='questions')
