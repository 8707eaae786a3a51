"""`coach backup` and `coach restore` on a real PostgreSQL server: pg_dump's snapshot taken
while a candidate submits answers, restored into a second database on the same server."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from app.extensions import db
from app.models import Score
from tests.conftest import count_rows, make_app
from tests.web.test_backup import (
    SubmittingCandidate,
    assert_serves_the_latest_result,
    submitted_count,
)


@pytest.fixture
def second_database(postgres_server: str) -> Iterator[str]:
    """Another empty database on the same server, to restore into, dropped after the test."""
    name = f"coach_restored_{uuid.uuid4().hex[:8]}"
    server = make_url(postgres_server).render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield make_url(postgres_server).set(drivername="postgresql+psycopg", database=name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_dump_taken_while_answers_are_submitted_restores_one_moment(
    pg_app, second_database: URL, tmp_path: Path
):
    backup = tmp_path / "coach.dump"
    with SubmittingCandidate(pg_app):
        before = submitted_count(pg_app)
        result = pg_app.test_cli_runner().invoke(args=["backup", str(backup)])
        after = submitted_count(pg_app)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Backed up {pg_app.config['DATABASE_URL']} to {backup}: ")
    tables, rows = map(int, re.search(r"(\d+) tables, (\d+) rows\.$", result.output).groups())
    assert backup.read_bytes().startswith(b"PGDMP")

    target = second_database.render_as_string(hide_password=False)
    restored = make_app(tmp_path / "restored", DATABASE_URL=target)
    runner = restored.test_cli_runner()
    libpq = second_database.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq):  # a server still connected to the database
        refused = runner.invoke(args=["restore", str(backup)])
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: 1 other connection(s) to the database")

    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"{tables} tables, {rows} rows." in result.output  # the rows counted at the dump
    submitted = submitted_count(restored)
    assert before <= submitted <= after  # one moment: each answer in it has its score
    assert count_rows(restored, Score) == submitted
    assert_serves_the_latest_result(restored)

    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    result = runner.invoke(args=["restore", str(damaged)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: pg_restore failed: ")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert count_rows(restored, Score) == submitted  # one transaction: nothing was dropped
    with restored.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() >= 1


def test_a_dump_of_a_database_that_is_gone_is_a_one_line_error(
    postgres_server: str, tmp_path: Path
):
    missing = make_url(postgres_server).set(drivername="postgresql+psycopg", database="missing_db")
    app = make_app(tmp_path, DATABASE_URL=missing.render_as_string(hide_password=False))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "coach.dump")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and 'database "missing_db" does not exist' in (
        result.output
    )
    assert result.output.count("\n") == 1
    assert not list(tmp_path.glob("*.dump")) and not list(tmp_path.glob(".*.tmp"))
