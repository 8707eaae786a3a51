"""The documented front of the app: gunicorn with gunicorn.conf.py (two sync workers) behind
nginx run with deploy/nginx.conf itself, only its addresses changed.

Clients that send a request body a few bytes at a time, or stall, tie up nginx connections,
never a gunicorn worker, so other visitors are still answered. Straight to gunicorn, two such
clients would hold both workers for its 30-second timeout (docs/deploy.md). And /metrics, asked
of gunicorn on this machine, counts every worker's requests whichever worker answers."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port, stop_process, wait_for_port
from tests.multiprocess.nginx import running_nginx

BIN = Path(sys.executable).parent
GUNICORN = [BIN / "gunicorn", "-c", ROOT / "gunicorn.conf.py", "-w", "2"]
pytestmark = [
    pytest.mark.sqlite_only,  # the database plays no part; once is enough
    pytest.mark.skipif(not shutil.which("nginx"), reason="needs Debian's nginx (make test-deps)"),
]


@dataclass(frozen=True)
class Front:
    nginx: str  # what visitors reach
    gunicorn: str  # the app server itself, as a Prometheus on this machine scrapes it


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    """gunicorn with gunicorn.conf.py and two sync workers, and nginx in front."""
    tmp = tmp_path_factory.mktemp("slow-clients")
    instance = tmp / "instance"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COACH_")},
        "COACH_INSTANCE_PATH": str(instance),
        "COACH_DATABASE_URL": f"sqlite:///{instance / 'coach.db'}",
        "COACH_SECRET_KEY": "slow clients test",
    }
    init = subprocess.run([BIN / "coach", "init"], env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    app_port = free_port()
    with contextlib.ExitStack() as stack:
        log = stack.enter_context((tmp / "processes.log").open("w"))
        gunicorn = subprocess.Popen(
            [*GUNICORN, "-b", f"127.0.0.1:{app_port}", "app:create_app()"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop_process, gunicorn)
        wait_for_port(app_port, gunicorn)
        nginx = stack.enter_context(running_nginx([app_port], log))
        yield Front(nginx, f"http://127.0.0.1:{app_port}")


@contextlib.contextmanager
def slow_clients(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` clients that each start a 100 KB form post, send a few bytes of it, and stall."""
    host, port = url.removeprefix("http://").split(":")
    clients = []
    try:
        for _ in range(count):
            client = socket.create_connection((host, int(port)))
            client.sendall(
                b"POST /login HTTP/1.1\r\nHost: coach.test\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nemail=slow"
            )
            clients.append(client)
        yield clients
    finally:
        for client in clients:
            client.close()


def test_stalled_uploads_do_not_hold_the_app_servers_workers(front):
    behind_nginx = front.nginx
    assert requests.get(behind_nginx + "/healthz", timeout=20).text == "ok\n"
    with slow_clients(behind_nginx, count=8):  # four times the workers
        # Answered while every slow client is still mid-body (each would need a worker for
        # 30 s if gunicorn were reading it); the timeout only bounds a failure.
        page = requests.get(behind_nginx + "/questions/worldwide-outage", timeout=20)
        assert page.status_code == 200 and "Handle a worldwide outage" in page.text
        assert requests.get(behind_nginx + "/healthz", timeout=20).text == "ok\n"


def test_a_whole_form_still_reaches_the_app_through_the_proxy(front):
    behind_nginx = front.nginx
    with slow_clients(behind_nginx, count=4):
        http = requests.Session()
        page = http.get(behind_nginx + "/login", timeout=20)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        login = http.post(
            behind_nginx + "/login",
            data={"email": "nobody@example.com", "password": "x" * 12, "csrf_token": token[1]},
            timeout=20,
        )
        assert login.status_code == 200 and "do not match an account" in login.text


def _requests_counted(base: str) -> float:
    text = requests.get(base + "/metrics", timeout=20).text
    sample = (
        'coach_request_duration_seconds_count{method="GET",route="practice.questions",status="200"}'
    )
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(found[1]) if found else 0.0


def test_metrics_count_the_requests_of_every_worker_at_each_scrape(front):
    before = _requests_counted(front.gunicorn)
    for page in range(1, 21):  # a connection each: the two workers share them
        assert requests.get(f"{front.nginx}/questions?page={page % 3 + 1}", timeout=20).ok
    # Whichever worker answers a scrape, it reports all twenty.
    scrapes = {_requests_counted(front.gunicorn) for _ in range(6)}
    assert scrapes == {before + 20}
    # Through the proxy, /metrics is not published.
    assert requests.get(front.nginx + "/metrics", timeout=20).status_code == 404
