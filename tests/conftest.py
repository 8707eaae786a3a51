"""Shared fixtures: a real database per test, seeded once per session and copied.

On SQLite (the default) each test gets a copy of a seeded file. With COACH_TEST_DATABASE_URL set
to a PostgreSQL server (or `pytest --postgres`, which starts a throwaway one), the same tests run
on PostgreSQL: the seed is a template database, and each test's database is created from it with
`CREATE DATABASE ... TEMPLATE`, then dropped when the test ends.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskCliRunner
from pytest_redis.executor import RedisExecutor
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from app import create_app
from app.bank.service import load_shipped_content
from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE_URL = "COACH_TEST_DATABASE_URL"
# What a PostgreSQL run writes where SQLite keeps its file: the instance's coach.db then names
# the template the instance's database is created from, so `shutil.copy(seeded_database, ...)`
# means "a copy of the seeded database" on both.
_TEMPLATE_MARK = b"coach-test-template:"
# Every database this run creates starts with this prefix, so none outlives its test.
# Published in the environment, so processes a test starts name their databases the same way.
_RUN_PREFIX = os.environ.setdefault(
    "COACH_TEST_DATABASE_PREFIX", f"coach_test_{secrets.token_hex(4)}"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Return once something accepts connections on 127.0.0.1:port (fail if `process` exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing answered on port {port} within {timeout} s")


def stop_process(process: subprocess.Popen, grace: float = 25) -> None:
    """SIGTERM, and SIGKILL if it has not exited within `grace` seconds (longer than gunicorn's
    graceful timeout, so a server finishes the requests in flight)."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _postgres_program(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise RuntimeError(
            f"PostgreSQL's {name} is missing: `make test` installs Debian's postgresql"
        )
    return found[-1]


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server from Debian's packages on a free port, in a temporary cluster that is
    removed afterwards; yields its URL. PostgreSQL refuses to run as root, so under root the
    cluster belongs to the `postgres` user that Debian's package creates."""
    as_root = os.geteuid() == 0
    as_owner = ["runuser", "-u", "postgres", "--"] if as_root else []
    data = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    if as_root:
        shutil.chown(data, "postgres")
    initdb = [_postgres_program("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(
        [*as_owner, *initdb, "--encoding=UTF8", "--no-sync"], check=True, capture_output=True
    )
    port = free_port()
    pg_ctl = [*as_owner, _postgres_program("pg_ctl"), "-D", str(data)]
    # Durability is not under test: fsync off keeps CREATE DATABASE and commits cheap.
    options = (
        f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    log = data / "server.log"
    started = subprocess.run(
        [*pg_ctl, "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        shutil.rmtree(data, ignore_errors=True)
        raise RuntimeError(
            f"PostgreSQL did not start: {started.stderr}{log.read_text() if log.exists() else ''}"
        )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def running_redis(directory: Path) -> Iterator[str]:
    """A redis-server from Debian's package on a free port, keeping nothing on disk, started and
    stopped by pytest-redis's executor (its socket, log and pid files go in `directory`)."""
    program = shutil.which("redis-server")
    if program is None:
        pytest.fail("redis-server is missing: run `make test`, which installs it", pytrace=False)
    port = free_port()
    server = RedisExecutor(
        program,
        databases=16,
        redis_timeout=0,  # idle clients are never dropped, as by default
        loglevel="warning",
        host="127.0.0.1",
        port=port,
        datadir=directory,
    )
    with server:
        url = f"redis://127.0.0.1:{port}/0"
        with redis.Redis.from_url(url) as client:
            client.config_set("save", "")  # no snapshots, none at shutdown either
        yield url


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server for one test, on a free port."""
    with running_redis(tmp_path) as url:
        yield url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help=f"run on PostgreSQL: ${TEST_DATABASE_URL}'s server, or a throwaway one",
    )


_throwaway: contextlib.ExitStack | None = None


def pytest_configure(config: pytest.Config) -> None:
    """With --postgres and no server named, start one for the whole run. It is published in the
    environment, so processes the tests start (gunicorn, `coach`, scripts) see it too."""
    global _throwaway
    config.addinivalue_line("markers", "sqlite_only(reason): skipped on PostgreSQL")
    config.addinivalue_line("markers", "postgres_only(reason): skipped on SQLite")
    if config.getoption("--postgres") and not os.environ.get(TEST_DATABASE_URL):
        _throwaway = contextlib.ExitStack()
        os.environ[TEST_DATABASE_URL] = _throwaway.enter_context(throwaway_postgres())


def pytest_unconfigure(config: pytest.Config) -> None:
    if _throwaway is not None:
        _throwaway.close()
        os.environ.pop(TEST_DATABASE_URL, None)


def on_postgres() -> bool:
    return bool(os.environ.get(TEST_DATABASE_URL))


# Tests in files that do not mark themselves yet, which depend on SQLite itself (its file in the
# instance folder, or a `coach` process that opens it). Each says why.
_SQLITE_ONLY = {
    "tests/feedback/test_redis_worker.py::test_a_coach_worker_process_writes_the_feedback": (
        "its `coach worker` opens the instance's SQLite file; tests/multiprocess covers the "
        "worker on PostgreSQL"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    postgres = on_postgres()
    for item in items:
        reason = _SQLITE_ONLY.get(item.nodeid.split("[")[0])
        if postgres and (marker := item.get_closest_marker("sqlite_only")):
            reason = marker.kwargs.get("reason") or (marker.args or ("SQLite only",))[0]
        if postgres and reason:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))
        if not postgres and (marker := item.get_closest_marker("postgres_only")):
            reason = marker.kwargs.get("reason") or (marker.args or ("PostgreSQL only",))[0]
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


def _server_url() -> str:
    return (
        make_url(os.environ[TEST_DATABASE_URL])
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _admin(statement: str) -> list[tuple]:
    """Run one statement on the server's maintenance database (outside any transaction, as
    CREATE and DROP DATABASE need)."""
    import psycopg  # only PostgreSQL runs need the driver

    with psycopg.connect(_server_url(), autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []


def _postgres_database(name: str) -> str:
    url = make_url(os.environ[TEST_DATABASE_URL]).set(
        drivername="postgresql+psycopg", database=name
    )
    return url.render_as_string(hide_password=False)


def _create_database(name: str, template: str | None) -> None:
    """CREATE DATABASE, copying `template` file by file when the server can (PostgreSQL 15's
    default, WAL_LOG, is eight times slower for a database the size of the seed)."""
    copy = ""
    if template:
        copy = f" TEMPLATE {template}"
        (version,) = _admin("SELECT current_setting('server_version_num')::int")[0]
        if version >= 150000:
            copy += " STRATEGY FILE_COPY"
    _admin(f"CREATE DATABASE {name}{copy}")


def database_url_for(instance: Path) -> str:
    """The database of an instance folder. On PostgreSQL it is created on first use, as a copy of
    the database the instance's coach.db names (when that file was copied from another instance)
    or empty; coach.db then names the new database, so copying it copies the database, as copying
    the SQLite file does. (Like that file, the database copied must have no open connections.)"""
    if not on_postgres():
        return f"sqlite:///{instance / 'coach.db'}"
    name = f"{_RUN_PREFIX}_{hashlib.sha1(str(instance.resolve()).encode()).hexdigest()[:16]}"
    if not _admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        marker = instance / "coach.db"
        content = marker.read_bytes() if marker.exists() else b""
        template = None
        if content.startswith(_TEMPLATE_MARK):
            template = content[len(_TEMPLATE_MARK) :].decode().strip()
        _create_database(name, template)
        marker.write_bytes(_TEMPLATE_MARK + name.encode())
    return _postgres_database(name)


def _run_databases() -> set[str]:
    rows = _admin(f"SELECT datname FROM pg_database WHERE starts_with(datname, '{_RUN_PREFIX}_')")
    return {name for (name,) in rows}


def count_rows(app: Flask, model: type) -> int:
    with app.app_context(), db.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def make_app(instance: Path, **config: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": config.pop("DATABASE_URL", None) or database_url_for(instance),
            "TASK_CONSUMER": "none",  # tests that need background tasks start a consumer
            # Never the developer's real key: AI tests point at a stand-in server themselves.
            "OPENAI_API_KEY": None,
            "OPENAI_BASE_URL": None,
            # Most tests sign several people up in a row; tests/web/test_signup_approval.py
            # covers sign-ups that wait for an admin, the default.
            "SIGNUP_APPROVAL": False,
            **config,
        }
    )


@pytest.fixture(scope="session", autouse=True)
def _drop_run_databases() -> Iterator[None]:
    """On PostgreSQL, what this run created is dropped at its end (the seed, module-wide
    databases), also on a server that outlives the run."""
    yield
    if on_postgres():
        for name in _run_databases():
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated and loaded with the shipped bank, built once per test run. Copy the
    returned coach.db into an instance folder to give that instance a copy of the database (on
    PostgreSQL the file names a template database, see database_url_for)."""
    instance = tmp_path_factory.mktemp("seed")
    app = make_app(instance)
    with app.app_context():
        db.upgrade_schema()
        with db.session() as session:
            load_shipped_content(session)
        db.engine.dispose()  # SQLite: folds the WAL into the file; PostgreSQL: a template is idle
    return instance / "coach.db"


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """On PostgreSQL, the databases created during a test are dropped when it ends (even ones a
    process the test started created), closing whatever connections its apps still hold."""
    before = _run_databases() if on_postgres() else set()
    yield
    if on_postgres():
        for name in _run_databases() - before:
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def app(tmp_path: Path, seeded_database: Path) -> Flask:
    shutil.copy(seeded_database, tmp_path / "coach.db")
    return make_app(tmp_path)


@pytest.fixture
def empty_app(tmp_path: Path) -> Flask:
    """An app whose database has not been created yet."""
    return make_app(tmp_path)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    """The CSRF token a page's form carries, as a browser would send it back."""
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Register and log in through the real forms, CSRF tokens included."""

    def __init__(self, client):
        self.client = client

    def register(self, email: str = "cand@example.com", password: str = "correct horse battery"):
        token = csrf_from(self.client.get("/register").text)
        return self.client.post(
            "/register",
            data={"email": email, "password": password, "confirm": password, "csrf_token": token},
        )

    def login(self, email: str = "cand@example.com", password: str = "correct horse battery"):
        token = csrf_from(self.client.get("/login").text)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def register_candidate(self, email: str = "candidate@example.com"):
        """Log in as a candidate: the first account on a fresh database is the admin, so one
        is registered (and logged out) first."""
        self.register("admin-first@example.com")
        self.logout()
        return self.register(email)

    def register_with_role(self, email: str, role: str):
        """Log in as a new account holding `role` (an admin sets it, as on the users page)."""
        from app.auth.services import set_role
        from app.models import Role, User

        app = self.client.application
        if not count_rows(app, User):  # the first account is made admin: let it be another
            self.register("admin-first@example.com")
            self.logout()
        self.register(email)
        with app.app_context(), db.session() as session:
            user = session.exec(select(User).where(User.email == email)).one()
            set_role(session, user.id, Role(role))
        return self.client

    def logout(self):
        token = csrf_from(self.client.get("/").text)
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
