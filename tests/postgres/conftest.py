"""A real PostgreSQL server for these tests: the one the whole suite runs on when
COACH_TEST_DATABASE_URL is set (or `pytest --postgres`), otherwise a throwaway cluster from
Debian's `postgresql` package (`make test` installs it), started on a free port for the run."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL, make_app, throwaway_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a running server's maintenance database."""
    if os.environ.get(TEST_DATABASE_URL):
        yield os.environ[TEST_DATABASE_URL]
        return
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_postgres())
        except RuntimeError as error:
            pytest.fail(str(error), pytrace=False)
        yield url


_databases = itertools.count()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database for each test, dropped after it."""
    name = f"coach_pg_{os.getpid()}_{next(_databases)}"
    server = make_url(postgres_server).set(drivername="postgresql")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_app(tmp_path: Path, postgres_url: str) -> Flask:
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    return app
