"""The production topology with real processes: one PostgreSQL, one Redis, two gunicorn app
servers (each with its own instance folder, sharing the secret key) and one `coach worker`.
An answer submitted through one server is scored, its AI feedback is written by the worker, and
the other server shows it to the same session; a login limit reached on one server holds on the
other.

Each test runs twice: with the processes started from this checkout, and with every one of them
(`coach init`, the servers, the worker) a container of the image the Dockerfile builds, run with
the commands compose.yaml gives them (docs/deploy.md describes that layout)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.models import Feedback, Question, Role, User
from tests.conftest import (
    ROOT,
    csrf_from,
    free_port,
    running_redis,
    stop_process,
    throwaway_postgres,
    wait_for_port,
)
from tests.feedback.standin import Reply, StandIn, completion
from tests.multiprocess.images import app_image, docker_daemon

BIN = Path(sys.executable).parent
ADVICE = {"summary": "Name the metric that tells you the rollback worked.", "criteria": []}
PASSWORD = "correct horse battery"
OUTAGE = "/questions/worldwide-outage"


@dataclass
class Topology:
    servers: list[str]  # base URLs of the two app servers
    database_url: str
    logs: Path  # each process's output, named after it
    local_disks: list[Path]  # the app servers' instance folders (none for containers)

    def log_tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()[-3000:]


def _wait_until(
    check: Callable[[], object], timeout: float, what: str, log: Callable[[], str] = str
) -> object:
    """Poll a real state until it holds; fail after `timeout` seconds saying what never came,
    with the log of the process that should have brought it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout} s\n{log()}")


def _compose_commands() -> dict[str, list[str]]:
    """The command compose.yaml gives each service that runs the app's image."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    return {name: services[name].get("command", []) for name in ("init", "web", "worker")}


@pytest.fixture(
    scope="module",
    params=[
        "processes",
        pytest.param(
            "containers",
            marks=pytest.mark.sqlite_only(
                reason="the topology has its own PostgreSQL; once is enough"
            ),
        ),
    ],
)
def topology(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Topology]:
    """Every process, started once for this file's tests and stopped after them, also when one
    fails. PostgreSQL is a throwaway server of its own on either database run."""
    tmp_path = tmp_path_factory.mktemp("topology")
    logs = tmp_path / "logs"
    logs.mkdir()
    with contextlib.ExitStack() as stack, StandIn() as standin:
        standin.always(Reply(body=completion(json.dumps(ADVICE))))
        server_url = make_url(stack.enter_context(throwaway_postgres()))
        database_url = server_url.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )
        redis_url = stack.enter_context(running_redis(tmp_path))
        shared = {
            "COACH_DATABASE_URL": database_url,
            "COACH_REDIS_URL": redis_url,
            "COACH_SECRET_KEY": "one secret shared by every server",
            "COACH_LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
            "COACH_SIGNUP_APPROVAL": "false",  # sign-ups below log straight in
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": standin.base_url,
        }
        if request.param == "processes":
            inherited = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
            commands = {
                "init": [BIN / "coach", "init"],
                "worker": [BIN / "coach", "worker", "--workers", "1"],
                "web": [BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py", "app:create_app()"],
            }

            def launch(name: str, command: list, environment: dict[str, str]) -> tuple:
                instance = tmp_path / name
                instance.mkdir()
                env = {**inherited, **environment, "COACH_INSTANCE_PATH": str(instance)}
                return command, {"env": env, "cwd": ROOT}

        else:  # each process a container of the image, on the host's network
            docker = stack.enter_context(docker_daemon(tmp_path_factory.mktemp("docker")))
            image = app_image(docker, tmp_path_factory.mktemp("image"))
            commands = _compose_commands()

            def launch(name: str, command: list, environment: dict[str, str]) -> tuple:
                settings = [f"--env={key}={value}" for key, value in environment.items()]
                run = [*docker, "run", "--rm", f"--name={name}", "--network=host", *settings]
                return [*run, image, *command], {}

        def start(name: str, command: list, **environment: str) -> subprocess.Popen:
            argv, options = launch(name, command, {**shared, **environment})
            log = stack.enter_context((logs / f"{name}.log").open("w"))
            process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **options)
            stack.callback(stop_process, process)
            return process

        init = start("init", commands["init"])
        assert init.wait(timeout=300) == 0, (logs / "init.log").read_text()
        start("worker", commands["worker"])
        servers = []
        for name in ("server1", "server2"):
            port = free_port()
            process = start(name, commands["web"], PORT=str(port), WEB_CONCURRENCY="2")
            wait_for_port(port, process, timeout=60)
            servers.append(f"http://127.0.0.1:{port}")
        disks = [tmp_path / name for name in ("server1", "server2")]
        yield Topology(servers, database_url, logs, disks if request.param == "processes" else [])


def _post_form(http: requests.Session, page: str, action: str, **fields: str) -> requests.Response:
    """Fill in the form on `page` as a browser would, CSRF token included."""
    token = csrf_from(http.get(page).text)
    return http.post(action, data={**fields, "csrf_token": token}, allow_redirects=False)


def _register(http: requests.Session, base: str, email: str) -> None:
    registered = _post_form(
        http,
        f"{base}/register",
        f"{base}/register",
        email=email,
        password=PASSWORD,
        confirm=PASSWORD,
    )
    assert registered.status_code == 302, registered.text


def test_an_answer_sent_to_one_server_is_scored_given_feedback_and_shown_by_the_other(topology):
    first, second = topology.servers
    http = requests.Session()
    _register(http, first, "admin-first@example.com")  # the first account is the admin
    http.cookies.clear()
    _register(http, first, "candidate@example.com")

    submitted = _post_form(
        http,
        first + OUTAGE,
        f"{first}{OUTAGE}/submit",
        answer_text="We roll back the release, tell customers within the hour and apologise.",
        time_spent_seconds="90",
    )
    assert submitted.status_code == 302, submitted.text
    attempt = re.search(r"/attempts/(\d+)$", submitted.headers["Location"]).group(1)
    assert "Clarifies the situation" in http.get(f"{first}/attempts/{attempt}").text  # scored

    engine = create_engine(topology.database_url)

    def feedback_status() -> str | None:
        with Session(engine) as session:
            row = session.exec(select(Feedback).where(Feedback.attempt_id == int(attempt))).first()
            return row.status if row is not None and row.status != "pending" else None

    try:
        status = _wait_until(
            feedback_status,
            30,
            "the worker writing the feedback",
            lambda: topology.log_tail("worker"),
        )
    finally:
        engine.dispose()
    assert status == "ok"

    on_second = http.get(f"{second}/attempts/{attempt}/feedback")  # the same session cookie
    assert on_second.status_code == 200
    assert 'data-status="ok"' in on_second.text
    assert "Name the metric that tells you the rollback worked." in on_second.text
    assert http.get(f"{second}/attempts/{attempt}").status_code == 200


def test_a_login_limit_reached_on_one_server_holds_on_the_other(topology):
    first, second = topology.servers
    _register(requests.Session(), first, "limited@example.com")

    attacker = requests.Session()
    for _ in range(3):  # COACH_LOGIN_LIMIT_PER_ACCOUNT is "3 per minute"
        wrong = _post_form(
            attacker,
            f"{first}/login",
            f"{first}/login",
            email="limited@example.com",
            password="not the password",
        )
        assert wrong.status_code == 200 and "do not match" in wrong.text
    refused = _post_form(
        attacker,
        f"{first}/login",
        f"{first}/login",
        email="limited@example.com",
        password="not the password",
    )
    assert refused.status_code == 429

    owner = requests.Session()
    on_second = _post_form(
        owner,
        f"{second}/login",
        f"{second}/login",
        email="limited@example.com",
        password=PASSWORD,
    )
    assert on_second.status_code == 429
    other = _post_form(
        owner,
        f"{second}/login",
        f"{second}/login",
        email="someone-else@example.com",
        password=PASSWORD,
    )
    assert other.status_code == 200  # only that account is held, not the server


def test_a_page_one_server_cached_is_dropped_for_all_when_an_admin_retires_its_question(
    topology,
):
    """The anonymous page cache lives in Redis: a question retired through one server is gone
    from the other at once, not when that server's own copy would have expired."""
    first, second = topology.servers
    page = "/questions/golf-balls-in-school-bus"
    for _ in range(10):  # in the page cache, wherever each of its workers keeps it
        assert "has been retired" not in requests.get(first + page).text
    admin = requests.Session()
    _register(admin, second, "retiring-admin@example.com")
    engine = create_engine(topology.database_url)
    try:
        with Session(engine) as session:
            user = session.exec(
                select(User).where(User.email == "retiring-admin@example.com")
            ).one()
            user.role = Role.ADMIN
            session.add(user)
            session.commit()
            question = session.exec(select(Question).where(Question.slug == page.rsplit("/")[-1]))
            question_id = question.one().id
    finally:
        engine.dispose()
    edit = f"{second}/admin/questions/{question_id}/edit"
    retired = _post_form(admin, edit, f"{second}/admin/questions/{question_id}/retire")
    assert retired.status_code == 302, retired.text
    for _ in range(10):  # whichever of the first server's workers answers
        assert "This question has been retired" in requests.get(first + page).text


def test_the_app_servers_keep_nothing_on_their_own_disks(topology):
    """Last, after answers, feedback, login limits and the page cache went through them: with
    PostgreSQL and Redis, all of it is shared, and the servers' instance folders stay empty."""
    if not topology.local_disks:
        pytest.skip("a container's disk goes with it")
    for disk in topology.local_disks:
        assert sorted(p.name for p in disk.iterdir()) == [], disk
