"""Nothing typed is lost when the server dies: a candidate types an answer in a real browser while
the server process (gunicorn, as docs/deploy.md runs it) is killed with SIGKILL the moment an
autosave leaves the page, and started again on the same port, several times over. The candidate
types on throughout; at the end the whole text is the draft in the database and, after a reload,
in the answer box.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
from flask import Flask
from playwright.sync_api import Page, Request, expect
from sqlmodel import select

from app.extensions import db
from app.models import User
from app.practice.services import drafts_for, get_question
from tests.conftest import free_port, make_app, wait_for_port
from tests.e2e.conftest import AUTOSAVE_SECONDS, TIMEOUT_MS
from tests.e2e.test_candidate_journey import (
    NOT_SAVED,
    QUESTION,
    SAVED,
    SAVED_BY_SERVER,
    answer_box,
    sign_up,
    stored_draft,
)

EMAIL = "durable@example.com"
# What the candidate types before each kill, and while the server is down or starting again.
ROUNDS = [
    (
        "Before acting I would ask which product is down and since when.",
        " Typed while the server was down the first time.",
    ),
    (
        " I would open a war room and check what changed in the last release.",
        " Typed during the second outage, about the rollback.",
    ),
    (
        " We roll back to the last good build and post on the status page.",
        " Typed during the third outage, about the postmortem.",
    ),
]
LAST_WORDS = " Afterwards a blameless postmortem, with an owner for every follow-up."
START_SECONDS = 60  # gunicorn and the app start in a few seconds, on a busy machine in more


class ServerProcess:
    """The app under gunicorn in a process group of its own, so that SIGKILL takes the master and
    its workers at once, as a crash or an OOM kill would; started again on the same port."""

    def __init__(self, instance: Path, database_url: str) -> None:
        self.port = free_port()
        self.log = instance / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))},
            "COACH_INSTANCE_PATH": str(instance),
            "COACH_DATABASE_URL": database_url,
            "COACH_AUTOSAVE_SECONDS": str(AUTOSAVE_SECONDS),
            "COACH_TASK_CONSUMER": "none",
        }
        # A separate app in this process reads what the server wrote (see stored_draft).
        self.app: Flask | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server; it answers once `wait_until_serving()` returns."""
        # One worker: a second would only double each start-up's work on a 2-core machine.
        command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "app:create_app()"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_serving(self) -> None:
        """Wait for the port, then for a page (gunicorn's master listens before its workers have
        loaded the app)."""
        deadline = time.monotonic() + START_SECONDS
        try:
            wait_for_port(self.port, self.process, timeout=START_SECONDS)
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), urlopen(f"{self.url}/login", timeout=5) as page:
                    if page.status == 200:
                        return
                time.sleep(0.1)
            raise TimeoutError(f"no page came from {self.url} within {START_SECONDS} s")
        except (RuntimeError, TimeoutError) as error:
            pytest.fail(f"{error}\n{self.log.read_text()[-3000:]}", pytrace=False)

    def kill(self) -> None:
        assert self.process is not None and self.process.poll() is None, "the server is down"
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def server(tmp_path: Path, seeded_database: Path) -> Iterator[ServerProcess]:
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(seeded_database, instance / "coach.db")
    # Built before the server, it also writes the instance's secret key, which every start of
    # the server then reads (sessions outlive the kills).
    app = make_app(instance)
    running = ServerProcess(instance, app.config["DATABASE_URL"])
    running.app = app
    running.start()
    running.wait_until_serving()
    try:
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            os.killpg(running.process.pid, signal.SIGKILL)
            running.process.wait()
        with app.app_context():
            db.engine.dispose()


def is_autosave(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith(QUESTION + "/draft")


def wait_for_draft(server: ServerProcess, text: str) -> None:
    """Poll the database (no event tells this process of another's commit) until the draft
    holds `text`; fail with what it holds instead."""
    deadline = time.monotonic() + START_SECONDS
    while (held := stored_draft(server, EMAIL)) != text and time.monotonic() < deadline:
        time.sleep(0.1)
    assert held == text, "the draft in the database is not what was typed"


def test_an_answer_typed_while_the_server_is_killed_again_and_again_is_kept(
    browser, server: ServerProcess
):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        page: Page = context.new_page()
        sign_up(page, EMAIL)
        page.goto(QUESTION)
        box, status = answer_box(page), page.locator("#save-status")
        typed = ""
        for before, during in ROUNDS:
            box.press_sequentially(before[:-1])
            with page.expect_request(is_autosave):  # the next autosave leaves the page...
                box.press_sequentially(before[-1])
            server.kill()  # ...and the server dies under it
            typed += before

            box.press_sequentially(during[: len(during) // 2])
            expect(status).to_have_text(NOT_SAVED)  # the page knows, and keeps the text
            server.start()  # on the same port, while the candidate types on
            box.press_sequentially(during[len(during) // 2 :])
            typed += during
            server.wait_until_serving()
            # The page reconnects by itself (its first save may meet the new process's slow
            # first request on a busy machine)...
            expect(status).to_have_text(SAVED, timeout=START_SECONDS * 1000)
            wait_for_draft(server, typed)  # ...and the server holds everything typed so far

        box.press_sequentially(LAST_WORDS)
        typed += LAST_WORDS
        wait_for_draft(server, typed)  # the next autosave gets through with everything

        page.reload()  # as the candidate would, to be sure
        expect(box).to_have_value(typed)
        expect(status).to_have_text(SAVED_BY_SERVER)  # the server's draft, not the device copy
        with server.app.app_context(), db.session() as session:
            user = session.exec(select(User).where(User.email == EMAIL)).one()
            question = get_question(session, "worldwide-outage")
            drafts = drafts_for(session, user.id, question.id)
        assert [d.answer_text for d in drafts] == [typed], "a lost reply left a second draft"
    finally:
        context.close()
