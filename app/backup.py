"""`coach backup PATH` and `coach restore PATH`: a consistent copy of the database while the app
runs, and putting one back.

SQLite is copied with its online backup API, in one step, so the copy is the database as it was
at one moment even while servers write to it. PostgreSQL is dumped with `pg_dump
--format=custom` and restored with `pg_restore --clean --if-exists` in one transaction. A restore
refuses while another process has the database open (a server or worker): they must be stopped
first, since they would keep writing to the database being replaced.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from .cli import user_errors
from .extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # how every pg_dump --format=custom file starts


@dataclass(frozen=True)
class Contents:
    """What a database or backup holds, as the commands report it."""

    tables: dict[str, int]  # rows per table
    size: int  # bytes of the file written

    def describe(self) -> str:
        rows = sum(self.tables.values())
        return f"{_human_size(self.size)}, {len(self.tables)} tables, {rows} rows"


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
@user_errors
def backup_command(path: Path) -> None:
    """Copy the database to PATH while the app runs (a consistent snapshot).

    PATH is written whole or not at all: the copy goes to a temporary file next to it, renamed
    into place once complete."""
    url = make_url(current_app.config["DATABASE_URL"])
    source = _describe_url(url)
    path = _writable_target(path)
    if url.get_backend_name() == "sqlite":
        database = _sqlite_file(url)
        if path.resolve() == database.resolve():
            raise click.ClickException(f"{path} is the database itself; give another file")
        contents = _write_atomically(path, lambda tmp: _backup_sqlite(database, tmp))
    elif url.get_backend_name() == "postgresql":
        contents = _write_atomically(path, lambda tmp: _backup_postgres(url, tmp))
    else:
        raise click.ClickException(f"backups of {url.get_backend_name()} are not supported")
    click.echo(f"Backed up {source} to {path}: {contents.describe()}.")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
@user_errors
def restore_command(path: Path) -> None:
    """Replace the database with the backup at PATH. Stop every server and worker first: the
    restore refuses while another process has the database open."""
    url = make_url(current_app.config["DATABASE_URL"])
    kind = _backup_kind(path)
    db.engine.dispose()  # this process's own pooled connections are not "another process"
    if url.get_backend_name() == "sqlite":
        if kind != "sqlite":
            raise click.ClickException(f"{path} is a PostgreSQL backup; this app uses SQLite")
        target = _sqlite_file(url, must_exist=False)
        contents = _restore_sqlite(path, target)
    elif url.get_backend_name() == "postgresql":
        if kind != "postgresql":
            raise click.ClickException(f"{path} is an SQLite backup; this app uses PostgreSQL")
        contents = _restore_postgres(path, url)
    else:
        raise click.ClickException(f"restoring {url.get_backend_name()} is not supported")
    click.echo(f"Restored {path} into {_describe_url(url)}: {contents.describe()}.")
    click.echo("Run `coach init` before starting the app, in case the backup is from an older one.")


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_file(url: URL, must_exist: bool = True) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise click.ClickException(f"cannot back up the SQLite database {url.database!r}")
    found = Path(url.database)
    if must_exist and not found.is_file():
        raise click.ClickException(f"{found}: no database here; run `coach init` first")
    return found


@contextmanager
def _open_sqlite(path: Path, read_only: bool) -> Iterator[sqlite3.Connection]:
    """A plain connection that never creates the file (mode=ro or rw); SQLite's own errors
    (locked, unreadable, not a database) become one-line messages."""
    mode = "ro" if read_only else "rw"
    try:
        uri = f"{path.resolve().as_uri()}?mode={mode}"
        with closing(sqlite3.connect(uri, uri=True, timeout=5)) as connection:
            yield connection
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def _sqlite_tables(connection: sqlite3.Connection) -> dict[str, int]:
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for (name,) in names
    }


def _copy_sqlite(source: sqlite3.Connection, target: Path, journal_mode: str) -> dict[str, int]:
    """Copy `source` into a new file in one step of the backup API (one read transaction, so
    one moment of the database) and check it. A backup is a file of its own (DELETE: no WAL
    beside it); a restored database is in WAL mode from the start, as the app keeps it."""
    with closing(sqlite3.connect(target)) as copy:
        source.backup(copy, pages=-1)
        copy.execute(f"PRAGMA journal_mode={journal_mode}")
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise click.ClickException(f"the copy failed its integrity check: {check}")
        return _sqlite_tables(copy)


def _backup_sqlite(database: Path, target: Path) -> dict[str, int]:
    with _open_sqlite(database, read_only=False) as source:  # rw: reading WAL needs its -shm
        return _copy_sqlite(source, target, "DELETE")


def _in_use_elsewhere(database: Path) -> bool:
    """Whether another process has the database open. In WAL mode (which the app sets) the last
    connection to close removes the -wal file, so it outlives this probe only if another
    connection is open; a killed process holds no connection. (Switching to WAL fails while
    another connection has the file open in another mode.)"""
    with _open_sqlite(database, read_only=False) as probe:
        (mode,) = probe.execute("PRAGMA journal_mode=WAL").fetchone()
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return mode != "wal" or Path(f"{database}-wal").exists()


def _restore_sqlite(backup: Path, database: Path) -> Contents:
    """Copy the backup next to the database, then rename it over the database in one step, so
    the database is at every moment either the old one or the whole backup."""
    if database.exists() and _in_use_elsewhere(database):
        raise click.ClickException(
            f"{database} is open in another process (a running server or worker?): "
            "stop them all, then restore"
        )
    with _open_sqlite(backup, read_only=True) as source:
        _check_is_backup(source, backup)
        restored = _write_atomically(database, lambda tmp: _copy_sqlite(source, tmp, "WAL"))
    for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)  # the old database's: they must not meet the new one
    return restored


def _check_is_backup(connection: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path} is not a backup ({exc})") from None
    if "alembic_version" not in tables:
        raise click.ClickException(f"{path} is not a backup of this app (no alembic_version)")


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_program(name: str) -> str:
    """The newest installed version's program (Debian keeps them in /usr/lib/postgresql/N/bin),
    else the one on PATH: pg_dump must be at least as new as the server."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    program = found[-1] if found else shutil.which(name)
    if not program:
        raise click.ClickException(f"{name} not found: install PostgreSQL's client programs")
    return program


def _version_key(program: str) -> tuple[int, str]:
    version = Path(program).parts[-3]
    return (int(version), "") if version.isdigit() else (0, version)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it (no `+psycopg`), and an environment carrying the password, so
    that no password ever appears on a command line."""
    env = dict(os.environ)  # PGSSLMODE and the like apply as they do to the app's driver
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run_pg(program: str, args: list[str], url: URL) -> None:
    dsn, env = _libpq(url)
    done = subprocess.run(
        [_pg_program(program), *args, f"--dbname={dsn}"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {done.returncode}"
        raise click.ClickException(f"{program} failed: {reason.removeprefix(f'{program}: ')}")


def _postgres_tables(connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    preparer = connection.dialect.identifier_preparer
    return {
        name: connection.execute(text(f"SELECT count(*) FROM {preparer.quote(name)}")).scalar_one()
        for name in names
    }


def _backup_postgres(url: URL, target: Path) -> dict[str, int]:
    """pg_dump reads the snapshot this transaction exports, so the rows counted here are the
    rows in the file."""
    engine = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        tables = _postgres_tables(connection)
        _run_pg("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"], url)
    return tables


def _restore_postgres(backup: Path, url: URL) -> Contents:
    with db.engine.connect() as connection:
        others = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ).scalar_one()
    if others:
        raise click.ClickException(
            f"{others} other connection(s) to the database (a running server or worker?): "
            "stop them all, then restore"
        )
    options = ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges"]
    _run_pg("pg_restore", [*options, str(backup)], url)
    with db.engine.connect() as connection:
        tables = _postgres_tables(connection)
    db.engine.dispose()
    return Contents(tables, backup.stat().st_size)


# --- Files -----------------------------------------------------------------------------------


def _backup_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read ({exc.strerror})") from None
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    if start == SQLITE_MAGIC:
        return "sqlite"
    raise click.ClickException(f"{path} is not a backup (neither SQLite nor pg_dump's format)")


def _writable_target(path: Path) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise click.ClickException(f"{path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise click.ClickException(f"{path.parent}: no such directory")
    return path


def _write_atomically(path: Path, write) -> Contents:
    """Let `write(tmp)` fill a temporary file beside `path`, then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tables = write(tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return Contents(tables, path.stat().st_size)


def _describe_url(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"
