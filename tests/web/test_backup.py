"""`coach backup` and `coach restore` on SQLite: a backup taken while candidates submit answers is
the database at one moment, and a new instance restored from it serves their results."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import func, select

from app.auth.services import register_user
from app.extensions import db
from app.models import Attempt, AttemptStatus, Score, User
from app.practice.services import submit_attempt
from tests.conftest import AuthActions, count_rows, make_app

# The PostgreSQL round trip is tests/postgres/test_backup_postgres.py.
pytestmark = pytest.mark.sqlite_only(reason="copies and checks the instance's SQLite file")

SLUG = "worldwide-outage"
EMAIL = "writer@example.com"
PASSWORD = "a long enough password"
ANSWER = "We roll back the release at once, apologise on the status page and run a postmortem."


def submitted_count(app: Flask) -> int:
    with app.app_context(), db.session() as session:
        query = select(func.count()).where(Attempt.status == AttemptStatus.SUBMITTED)
        return session.exec(query).one()


class SubmittingCandidate:
    """A candidate submitting answers from a thread, one transaction each (the attempt and its
    score together), from entering the block until leaving it; at least one lands before the
    block's body runs."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context(), db.session() as session:
            self.user_id = register_user(session, EMAIL, PASSWORD).id
        self.submitted = 0
        self.error: BaseException | None = None
        self._first = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._submit_until_stopped)

    def _submit_until_stopped(self) -> None:
        try:
            with self.app.app_context():
                while not self._stop.is_set():
                    with db.session() as session:
                        text = f"{ANSWER} Take {self.submitted}."
                        submit_attempt(session, self.user_id, SLUG, text, 60)
                    self.submitted += 1
                    self._first.set()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
            self._first.set()

    def __enter__(self) -> SubmittingCandidate:
        self._thread.start()
        assert self._first.wait(timeout=30), "no answer was submitted"
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        assert self.error is None, self.error


def assert_serves_the_latest_result(app: Flask) -> None:
    """The candidate logs in on `app` and reads the result of their last submitted answer."""
    with app.app_context(), db.session() as session:
        latest = session.exec(select(func.max(Score.attempt_id))).one()
    client = app.test_client()
    response = AuthActions(client).login(EMAIL, PASSWORD)
    assert response.status_code == 302, "the restored account cannot log in"
    page = client.get(f"/attempts/{latest}")
    assert page.status_code == 200
    assert "Your score" in page.text and "apologise on the status page" in page.text


def test_a_backup_taken_while_answers_are_submitted_restores_one_moment(
    app: Flask, runner, tmp_path: Path
):
    backup = tmp_path / "backups" / "coach-backup.db"
    backup.parent.mkdir()
    with SubmittingCandidate(app):
        before = submitted_count(app)
        result = runner.invoke(args=["backup", str(backup)])
        after = submitted_count(app)
    assert result.exit_code == 0, result.output
    assert f"Backed up {tmp_path / 'coach.db'} to {backup}: " in result.output

    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
        (submitted,) = copy.execute("SELECT count(*) FROM attempts WHERE status = 'submitted'")
        (scores,) = copy.execute("SELECT count(*) FROM scores")
        tables = copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        rows = sum(copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in tables)
    copy.close()
    # Every answer committed before the backup began is in it, each with its score.
    assert before <= submitted[0] <= after
    assert scores[0] == submitted[0]
    assert f"{len(tables)} tables, {rows} rows." in result.output
    assert not list(backup.parent.glob(".*.tmp"))  # the temporary file became the backup

    restored = make_app(tmp_path / "restored")  # a new instance: no database yet
    result = restored.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"{len(tables)} tables, {rows} rows." in result.output
    assert submitted_count(restored) == submitted[0]
    assert count_rows(restored, Score) == scores[0]
    assert_serves_the_latest_result(restored)


def test_restore_refuses_while_a_server_has_the_database_open(app: Flask, runner, tmp_path):
    backup = tmp_path / "before.db"
    with app.app_context(), db.session() as session:
        register_user(session, EMAIL, PASSWORD)
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    with app.app_context(), db.session() as session:
        register_user(session, "later@example.com", PASSWORD)

    # Another process with the database open and idle, as a server between requests.
    holder = (
        "import sqlite3, sys; held = sqlite3.connect(sys.argv[1]); "
        "held.execute('SELECT * FROM users').fetchall()"
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"{holder}; print('open', flush=True); sys.stdin.read()",
            str(tmp_path / "coach.db"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline() == "open\n"
        result = runner.invoke(args=["restore", str(backup)])
    finally:
        server.communicate()  # closing its input ends it
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "open in another process" in result.output
    assert registered(app) == [EMAIL, "later@example.com"]

    result = runner.invoke(args=["restore", str(backup)])  # the server has stopped
    assert result.exit_code == 0, result.output
    assert registered(app) == [EMAIL]  # the account made after the backup is gone
    client = app.test_client()
    assert AuthActions(client).login(EMAIL, PASSWORD).status_code == 302
    assert client.get(f"/questions/{SLUG}").status_code == 200


def registered(app: Flask) -> list[str]:
    with app.app_context(), db.session() as session:
        return list(session.exec(select(User.email).order_by(User.id)))


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def foreign_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (body TEXT)")
    other.close()
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (lambda d: ["restore", str(d / "missing.db")], "missing.db: no such file"),
        (
            lambda d: ["restore", str(write(d / "notes.txt", b"just some notes\n"))],
            "notes.txt is not a backup (neither SQLite nor pg_dump's format)",
        ),
        (
            lambda d: ["restore", str(foreign_sqlite(d / "other.db"))],
            "other.db is not a backup of this app",
        ),
        (
            lambda d: ["restore", str(write(d / "dump", b"PGDMP\x01\x0e"))],
            "dump is a PostgreSQL backup; this app uses SQLite",
        ),
        (lambda d: ["backup", str(d / "nowhere" / "b.db")], "nowhere: no such directory"),
        (lambda d: ["backup", str(d)], "is a directory; give a file name"),
    ],
    ids=["missing", "not-a-database", "another-database", "postgres-dump", "no-dir", "a-dir"],
)
def test_bad_paths_are_one_line_errors_and_change_nothing(app, runner, tmp_path, args, message):
    given = tmp_path / "given"
    given.mkdir()
    before = (tmp_path / "coach.db").read_bytes()
    result = runner.invoke(args=args(given))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert (tmp_path / "coach.db").read_bytes() == before
    assert sorted(p.name for p in given.iterdir() if p.name.startswith(".")) == []
