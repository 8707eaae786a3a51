"""Browser fixtures: the app on a real HTTP server in a thread, driven by Debian's Chromium.

The server runs on 127.0.0.1 on a free port, on a copy of the session's seeded database, and can be
stopped and started again on the same port with the same database file (a "server restart").
Chromium is the system one (/usr/bin/chromium): no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from app.extensions import db
from tests.conftest import make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Autosave every second instead of every five, so the drafts tests wait less.
AUTOSAVE_SECONDS = 1
# Playwright's default (30 s) is too patient: every wait in these tests fails within 10 s.
TIMEOUT_MS = 10_000


class LiveServer:
    """The app served over real HTTP from a background thread; stop() and start() restart it."""

    def __init__(self, instance: Path) -> None:
        self.instance = instance
        self.port = _free_port()
        self.app: Flask | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        # Every commit in this process is counted, so a test can wait for the next one.
        self._committed = threading.Condition()
        self.commits = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def _count_commit(self, _session: Session) -> None:
        with self._committed:
            self.commits += 1
            self._committed.notify_all()

    def wait_for_commit(self, after: int, timeout: float) -> bool:
        """Wait until a commit lands after the `after`-th one; False if none came in time."""
        with self._committed:
            return self._committed.wait_for(lambda: self.commits > after, max(0.0, timeout))

    def start(self) -> None:
        """Build a fresh app (as a new process would) on the same instance folder and port."""
        assert not self.running, "the server is already running"
        if not event.contains(Session, "after_commit", self._count_commit):
            event.listen(Session, "after_commit", self._count_commit)
        # Background tasks (rescoring) run in the server, as they do under `make run`.
        self.app = make_app(
            self.instance, AUTOSAVE_SECONDS=AUTOSAVE_SECONDS, TASK_CONSUMER="in-process"
        )
        server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        accept = server.get_request

        def get_request() -> tuple[socket.socket, object]:
            # Remember each connection, so stop() can cut the keep-alive ones the browser holds.
            connection, address = accept()
            self._connections.add(connection)
            return connection, address

        server.get_request = get_request  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, drop open connections and close the database, like a killed process."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        for connection in self._connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        self._connections.clear()
        assert self._thread is not None
        self._thread.join(timeout=5)
        self._server = self._thread = None
        self.app.extensions["tasks"].stop_consumer()
        if event.contains(Session, "after_commit", self._count_commit):
            event.remove(Session, "after_commit", self._count_commit)
        with self.app.app_context():
            db.engine.dispose()

    def restart(self) -> None:
        self.stop()
        self.start()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(tmp_path: Path, seeded_database: Path) -> Iterator[LiveServer]:
    """A running server on its own copy of the seeded database, stopped after the test."""
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(seeded_database, instance / "coach.db")
    server = LiveServer(instance)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright for the whole run: a second one started while the first runs fails."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests use the system Chromium. "
            "Run `make test`, which installs it.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def launch_chromium(playwright_driver, *extra_args: str):
    """Debian's Chromium, headless, as every browser test runs it."""
    return playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, *extra_args],
        # Playwright turns the back/forward cache off; candidates' browsers have it on.
        ignore_default_args=["--disable-back-forward-cache"],
    )


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = launch_chromium(playwright_driver)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_context(browser, live_server: LiveServer):
    """Open as many isolated browser sessions (cookies, local storage) as a test needs."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    def open_context(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()
