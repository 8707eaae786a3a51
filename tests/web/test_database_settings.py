"""The database settings durability rests on: SQLite in WAL mode (readers never wait for a
writer) with a busy timeout (a writer waits for another instead of failing at once); PostgreSQL
connections checked before use, so one the server dropped (a restart, a failover, an idle
timeout) is replaced instead of failing a request."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlmodel import select

from app.extensions import db
from app.models import Question


@pytest.mark.sqlite_only(reason="SQLite's own settings")
def test_every_sqlite_connection_uses_wal_a_busy_timeout_and_foreign_keys(app: Flask):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.postgres_only(reason="PostgreSQL's connection pool")
def test_a_postgresql_connection_the_server_dropped_is_replaced_unseen(app: Flask):
    """Both pooled connections are checked out again after the server ended one of them (as on
    a restart or a failover): the dead one is found before use and replaced."""
    with db.engine.connect() as doomed, db.engine.connect() as other:
        backend = doomed.execute(text("SELECT pg_backend_pid()")).scalar()
        doomed.rollback()
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        other.commit()
    with db.engine.connect() as first, db.engine.connect() as second:
        assert first.execute(text("SELECT 1")).scalar() == 1
        assert second.execute(text("SELECT 1")).scalar() == 1
    with app.app_context(), db.session() as session:
        assert session.exec(select(Question)).first() is not None
