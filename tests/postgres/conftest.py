"""A real PostgreSQL server for the test run: a throwaway cluster from Debian's `postgresql`
package (`make test` installs it), started on a free port and removed at the end."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask

from tests.conftest import make_app


def _server_program(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is missing: `make test` installs Debian's postgresql")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The address of a running server; PostgreSQL refuses to run as root, so under root the
    cluster belongs to the `postgres` user that Debian's package creates."""
    as_root = os.geteuid() == 0
    as_owner = ["runuser", "-u", "postgres", "--"] if as_root else []
    data = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    if as_root:
        shutil.chown(data, "postgres")
    initdb = [_server_program("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(
        [*as_owner, *initdb, "--encoding=UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    pg_ctl = [*as_owner, _server_program("pg_ctl"), "-D", str(data)]
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        [*pg_ctl, "-l", str(data / "server.log"), "-o", options, "-w", "-t", "60", "start"],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        log = data / "server.log"
        pytest.fail(
            f"PostgreSQL did not start: {started.stderr}{log.read_text() if log.exists() else ''}"
        )
    try:
        yield f"postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


_databases = itertools.count()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A new, empty database for each test."""
    name = f"coach_{next(_databases)}"
    with psycopg.connect(f"postgresql://{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://{postgres_server}/{name}"


@pytest.fixture
def pg_app(tmp_path: Path, postgres_url: str) -> Flask:
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    return app
