"""The production topology of compose.yaml with real processes: one PostgreSQL, one Redis,
`coach init`, the app servers (each with its own instance folder, sharing the secret key), the
`coach worker`s and nginx with deploy/nginx.conf in front of the servers, each with the
environment compose.yaml gives it and started in the order its `depends_on` says.
An answer submitted through nginx is scored, its AI feedback is written by a worker, and each
server shows it to the same session; a login limit reached on one server holds on the other, and
one reached through nginx counts the visitor's address, which the visitor cannot forge.

Each test runs twice: with the processes started from this checkout, and with every one of them
(`coach init`, the servers, the workers) a container of the image the Dockerfile builds, run with
the commands compose.yaml gives them (docs/deploy.md describes that layout). PostgreSQL, Redis and
nginx are Debian's, on 127.0.0.1, standing in for compose's images."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
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
from tests.multiprocess.compose import Compose
from tests.multiprocess.images import app_image, docker_daemon
from tests.multiprocess.nginx import running_nginx

BIN = Path(sys.executable).parent
ADVICE = {"summary": "Name the metric that tells you the rollback worked.", "criteria": []}
PASSWORD = "correct horse battery"
OUTAGE = "/questions/worldwide-outage"
# Settings of these tests alone, on top of compose.yaml's environment for init, web and worker.
TEST_SETTINGS = {
    "COACH_LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
    "COACH_SIGNUP_APPROVAL": "false",  # sign-ups below log straight in
}
# Files the Dockerfile puts into the image that compose's commands name, and their originals.
IMAGE_FILES = {"/etc/coach/gunicorn.conf.py": str(ROOT / "gunicorn.conf.py")}


@dataclass
class Topology:
    servers: list[str]  # base URLs of the app servers (compose's `web` replicas)
    nginx: str  # what visitors reach
    database_url: str
    logs: Path  # each process's output, named after it
    local_disks: list[Path]  # the app servers' instance folders (none for containers)

    def log_tail(self, service: str) -> str:
        return "".join(_tail(path) for path in sorted(self.logs.glob(f"{service}*.log")))


@dataclass
class Replica:
    """One running copy of a compose service."""

    name: str  # as compose names it: web-1, web-2, ...
    log: Path
    process: subprocess.Popen | None = None  # none for servers that conftest's helpers run
    port: int | None = None  # where it answers on 127.0.0.1
    environment: dict[str, str] = field(default_factory=dict)


def _tail(log: Path) -> str:
    return f"--- {log.name}\n{log.read_text()[-3000:]}" if log.exists() else ""


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


def _reached(replica: Replica, condition: str) -> None:
    """Wait until a replica is in the state a `depends_on` condition names: healthy is
    answering on its port, completed successfully is exited with 0."""
    if condition == "service_started":
        return
    if condition == "service_healthy" and replica.port is not None:
        try:
            wait_for_port(replica.port, replica.process, timeout=120)
        except (RuntimeError, TimeoutError) as failure:
            pytest.fail(f"{replica.name} is not healthy: {failure}\n{_tail(replica.log)}")
    elif condition == "service_completed_successfully" and replica.process is not None:
        status = replica.process.wait(timeout=300)
        assert status == 0, f"{replica.name} exited with {status}\n{_tail(replica.log)}"
    else:
        pytest.fail(f"compose.yaml waits for {replica.name} to be {condition}: new to this test")


def _as_the_postgres_image_does(server: URL, environment: dict[str, str]) -> None:
    """What the postgres image does on its first start: POSTGRES_USER a superuser with
    POSTGRES_PASSWORD, owning a database POSTGRES_DB (so compose's URL names them)."""
    import psycopg
    from psycopg import sql

    user, database = environment["POSTGRES_USER"], environment["POSTGRES_DB"]
    address = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(address, autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(environment["POSTGRES_PASSWORD"])
            )
        )
        connection.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(user)
            )
        )


# Starts one replica of an app service: (its name, its command, its environment) -> the argv
# and the subprocess.Popen options that run it.
Launch = Callable[[str, list[str], dict[str, str]], tuple[list, dict]]


@dataclass
class _Services:
    """`docker compose up` on this machine: every service of compose.yaml started after the
    ones it depends on, each dependency in the state its condition names. The services built
    from the Dockerfile run as `launch` says, with compose's environment; PostgreSQL, Redis and
    nginx are Debian's, standing in for their images. Everything is stopped with `stack`."""

    compose: Compose
    variables: dict[str, str]  # what compose.yaml interpolates
    launch: Launch
    stack: contextlib.ExitStack
    folder: Path  # logs/ and whatever else the processes need
    started: dict[str, list[Replica]] = field(default_factory=dict)

    def up(self) -> dict[str, list[Replica]]:
        stand_ins = {"postgres": self.postgres, "redis": self.redis, "nginx": self.nginx}
        for service in self.compose.start_order():
            for dependency in self.compose.depends_on(service):
                for replica in self.started[dependency.service]:
                    _reached(replica, dependency.condition)
            if service in stand_ins:
                self.started[service] = stand_ins[service]()
            elif "build" in self.compose.services[service]:  # the app's image
                self.started[service] = self.app_service(service)
            else:
                pytest.fail(f"compose.yaml's {service} is new to this test: give it a stand-in")
        # Stopped all at once, as `docker compose down` does; stop_process then waits for each.
        running = [r.process for rs in self.started.values() for r in rs if r.process]
        self.stack.callback(lambda: [process.terminate() for process in running])
        return self.started

    def app_service(self, service: str) -> list[Replica]:
        """compose's replicas of the service with its command and environment (the other
        services' host names pointing at where they listen here), the tests' settings on top."""
        ports = {name: replicas[0].port for name, replicas in self.started.items()}
        environment = {
            key: self.compose.on_this_machine(value, ports)
            for key, value in self.compose.environment(service, self.variables).items()
        }
        replicas = []
        for number in range(1, self.compose.replicas(service) + 1):
            name = f"{service}-{number}"
            replica = Replica(name, self.folder / "logs" / f"{name}.log")
            replica.environment = {**environment, **TEST_SETTINGS}
            if service == "web":  # nginx's upstream; a port each, as on its own network
                replica.port = free_port()
                replica.environment["PORT"] = str(replica.port)
            argv, options = self.launch(name, self.compose.command(service), replica.environment)
            log = self.stack.enter_context(replica.log.open("w"))
            replica.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, **options
            )
            self.stack.callback(stop_process, replica.process)
            replicas.append(replica)
        return replicas

    def postgres(self) -> list[Replica]:
        server = make_url(self.stack.enter_context(throwaway_postgres()))
        _as_the_postgres_image_does(server, self.compose.environment("postgres", self.variables))
        return [Replica("postgres", self.folder / "postgres.log", port=server.port)]

    def redis(self) -> list[Replica]:
        server = self.stack.enter_context(running_redis(self.folder))
        return [Replica("redis", self.folder / "redis.log", port=urlsplit(server).port)]

    def nginx(self) -> list[Replica]:
        log_path = self.folder / "logs" / "nginx.log"
        log = self.stack.enter_context(log_path.open("w"))
        servers = [replica.port for replica in self.started["web"]]
        front = self.stack.enter_context(running_nginx(servers, log))
        return [Replica("nginx", log_path, port=urlsplit(front).port)]


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
    """Every service of compose.yaml, started once for this file's tests in its `depends_on`
    order and stopped after them, also when one fails. PostgreSQL is a throwaway server of its
    own on either database run."""
    tmp_path = tmp_path_factory.mktemp("topology")
    (tmp_path / "logs").mkdir()
    with contextlib.ExitStack() as stack, StandIn() as standin:
        standin.always(Reply(body=completion(json.dumps(ADVICE))))
        if request.param == "processes":
            inherited = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}

            def launch(name: str, command: list[str], environment: dict[str, str]) -> tuple:
                program, *arguments = command
                instance = tmp_path / name
                instance.mkdir()
                env = {**inherited, **environment, "COACH_INSTANCE_PATH": str(instance)}
                argv = [BIN / program, *(IMAGE_FILES.get(a, a) for a in arguments)]
                return argv, {"env": env, "cwd": ROOT}

        else:  # each process a container of the image, on the host's network
            docker = stack.enter_context(docker_daemon(tmp_path_factory.mktemp("docker")))
            image = app_image(docker, tmp_path_factory.mktemp("image"))

            def launch(name: str, command: list[str], environment: dict[str, str]) -> tuple:
                settings = [f"--env={key}={value}" for key, value in environment.items()]
                run = [*docker, "run", "--rm", f"--name={name}", "--network=host", *settings]
                return [*run, image, *command], {}

        # The values compose.yaml interpolates, as exported before `docker compose up`.
        variables = {
            "POSTGRES_PASSWORD": "unused",  # the throwaway server trusts local connections
            "COACH_SECRET_KEY": "one secret shared by every server",
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": standin.base_url,
        }
        started = _Services(Compose(), variables, launch, stack, tmp_path).up()
        web = started["web"]
        for replica in web:  # compose starts nginx once they start; the tests, once they answer
            _reached(replica, "service_healthy")
        yield Topology(
            servers=[f"http://127.0.0.1:{replica.port}" for replica in web],
            nginx=f"http://127.0.0.1:{started['nginx'][0].port}",
            database_url=web[0].environment["COACH_DATABASE_URL"],
            logs=tmp_path / "logs",
            local_disks=[tmp_path / r.name for r in web] if request.param == "processes" else [],
        )


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


class _FromAddress(HTTPAdapter):
    """Connections from another loopback address, so nginx sees another visitor."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


def _visitor_from(address: str) -> requests.Session:
    http = requests.Session()
    http.mount("http://", _FromAddress(address))
    return http


def _healthz_answered(server: str) -> float:
    """How many /healthz requests the server's workers answered, from its /metrics."""
    text = requests.get(f"{server}/metrics", timeout=20).text
    sample = 'coach_request_duration_seconds_count{method="GET",route="observability.healthz",'
    found = re.search(rf'^{re.escape(sample)}status="200"}} (\S+)$', text, re.MULTILINE)
    return float(found[1]) if found else 0.0


def test_nginx_passes_visitors_to_every_app_server(topology):
    """deploy/nginx.conf's upstream holds every `web` replica: each answers visitors."""
    before = [_healthz_answered(server) for server in topology.servers]
    for _ in range(6):
        assert requests.get(f"{topology.nginx}/healthz", timeout=20).text == "ok\n"
    after = [_healthz_answered(server) for server in topology.servers]
    answered = [now - then for now, then in zip(after, before, strict=True)]
    assert sum(answered) == 6 and all(answered), answered


def test_an_answer_sent_through_nginx_is_scored_given_feedback_and_shown_by_each_server(
    topology,
):
    """Whichever server nginx passes each request to (the form and its submission may well go
    to different ones), the answer and its feedback are the same on every server."""
    front = topology.nginx
    http = requests.Session()
    _register(http, front, "admin-first@example.com")  # the first account is the admin
    http.cookies.clear()
    _register(http, front, "candidate@example.com")

    submitted = _post_form(
        http,
        front + OUTAGE,
        f"{front}{OUTAGE}/submit",
        answer_text="We roll back the release, tell customers within the hour and apologise.",
        time_spent_seconds="90",
    )
    assert submitted.status_code == 302, submitted.text
    attempt = re.search(r"/attempts/(\d+)$", submitted.headers["Location"]).group(1)
    assert "Clarifies the situation" in http.get(f"{front}/attempts/{attempt}").text  # scored

    engine = create_engine(topology.database_url)

    def feedback_status() -> str | None:
        with Session(engine) as session:
            row = session.exec(select(Feedback).where(Feedback.attempt_id == int(attempt))).first()
            return row.status if row is not None and row.status != "pending" else None

    try:
        status = _wait_until(
            feedback_status,
            30,
            "a worker writing the feedback",
            lambda: topology.log_tail("worker"),
        )
    finally:
        engine.dispose()
    assert status == "ok"

    for server in topology.servers:  # each directly, with the session cookie nginx's answer set
        feedback = http.get(f"{server}/attempts/{attempt}/feedback")
        assert feedback.status_code == 200
        assert 'data-status="ok"' in feedback.text
        assert "Name the metric that tells you the rollback worked." in feedback.text
        assert http.get(f"{server}/attempts/{attempt}").status_code == 200


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


def test_a_login_limit_reached_through_nginx_counts_the_visitors_address_not_a_forged_one(
    topology,
):
    """Behind nginx each visitor is counted by the address nginx writes into X-Forwarded-For
    (compose gives the servers COACH_PROXY_COUNT=1), not by nginx's own: a visitor elsewhere is
    not held by another's failures, and one who sends an X-Forwarded-For of their own is still
    held, since deploy/nginx.conf overwrites it."""
    front = topology.nginx
    _register(requests.Session(), front, "proxied@example.com")

    def log_in(visitor: requests.Session, password: str) -> requests.Response:
        login = f"{front}/login"
        return _post_form(visitor, login, login, email="proxied@example.com", password=password)

    attacker = _visitor_from("127.0.0.2")
    for _ in range(3):  # COACH_LOGIN_LIMIT_PER_ACCOUNT is "3 per minute" per address
        wrong = log_in(attacker, "not the password")
        assert wrong.status_code == 200 and "do not match" in wrong.text
    assert log_in(attacker, "not the password").status_code == 429

    attacker.headers["X-Forwarded-For"] = "198.51.100.7"  # claims to be somewhere else
    assert log_in(attacker, PASSWORD).status_code == 429

    owner = _visitor_from("127.0.0.3")
    logged_in = log_in(owner, PASSWORD)
    assert logged_in.status_code == 302, f"{logged_in.status_code}: held by another's failures"


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
