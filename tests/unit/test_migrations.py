"""The migrations build exactly the tables the models describe, and upgrade stored data."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, select

from app.extensions import db
from app.models import RubricStatus, RubricVersion

# Built by migration 0011 and described by no model: SQLite's FTS5 table with its shadow
# tables, PostgreSQL's tsvector expression index, and (until app/models.py names it among
# Question's indexes) the index the question list pages through.
NOT_IN_THE_MODELS = {"ix_questions_fts"}


def _not_full_text_search(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name and (name == "questions_fts" or name.startswith("questions_fts_")):
        return False
    return not (type_ == "index" and name in NOT_IN_THE_MODELS)


def test_the_migrated_schema_is_the_one_the_models_describe(empty_app):
    with empty_app.app_context():
        db.upgrade_schema()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": _not_full_text_search}
            )
            assert compare_metadata(context, SQLModel.metadata) == []


def test_rubric_versions_stored_before_drafts_existed_stay_published(empty_app):
    with empty_app.app_context():
        db.upgrade_schema("0004")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO rubric_versions (rubric_id, version, title, content, content_hash,"
                    " source, created_at) VALUES ('r', 1, 'R', :content, 'h', 'shipped',"
                    " '2026-11-01 10:00:00')"
                ),
                {"content": json.dumps({"id": "r"})},
            )
        db.upgrade_schema()
        with db.session() as session:
            (row,) = session.exec(select(RubricVersion)).all()
        assert row.status == RubricStatus.PUBLISHED and row.revision == 0
        assert row.published_at is not None and row.source_text is None


def test_every_migration_goes_down_and_up_again(empty_app):
    """Upgrade to the newest revision, downgrade to nothing, upgrade again: each downgrade undoes
    its upgrade exactly (on SQLite here, and on PostgreSQL when the suite runs there)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from app.extensions import MIGRATIONS_DIR

    def migrate(step, revision: str) -> None:
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)

    with empty_app.app_context():
        migrate(command.upgrade, "head")
        migrate(command.downgrade, "base")
        with db.engine.connect() as connection:
            left = set(inspect(connection).get_table_names()) - {"alembic_version"}
        assert left == set()
        migrate(command.upgrade, "head")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": _not_full_text_search}
            )
            assert compare_metadata(context, SQLModel.metadata) == []
