"""Request ids and JSON request logs, /healthz, /readyz and /metrics on the real app."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from app.observability import request_log
from tests.conftest import ROOT, free_port, make_app
from tests.web.test_practice import ANSWER, submit


@pytest.fixture
def request_lines(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """The JSON lines the `coach.requests` logger writes while the test runs (it writes to its
    own handler only; here its records reach caplog's too)."""
    monkeypatch.setattr(request_log, "propagate", True)
    return lambda: [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "coach.requests"
    ]


def metric(client, sample: str) -> float:
    """The value of one sample line of /metrics, 0 when it has not been recorded yet."""
    text = client.get("/metrics").text
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_a_callers_request_id_comes_back_and_is_in_the_json_log_line(client, request_lines):
    response = client.get("/questions?page=1", headers={"X-Request-Id": "edge-7f3a.42"})

    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "edge-7f3a.42"
    (line,) = request_lines()
    assert line["request_id"] == "edge-7f3a.42"
    assert line["method"] == "GET" and line["path"] == "/questions"
    assert line["route"] == "practice.questions" and line["status"] == 200
    assert line["duration_ms"] > 0 and line["user_id"] is None
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", line["time"])


def test_a_malformed_request_id_is_replaced_by_a_fresh_one(client, request_lines):
    for bad in ("<script>alert(1)</script>", "x" * 65, "two words"):
        response = client.get("/healthz", headers={"X-Request-Id": bad})
        fresh = response.headers["X-Request-Id"]
        assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert [line["request_id"] for line in request_lines()][-1] == fresh
    assert len({line["request_id"] for line in request_lines()}) == 3


def test_the_log_line_names_the_signed_in_user_and_hides_a_links_token(
    client, auth, caplog, request_lines
):
    auth.register_candidate()
    client.get("/progress")
    client.get("/reset/a-secret-reset-token")
    progress, reset = request_lines()[-2:]
    assert isinstance(progress["user_id"], int) and progress["route"] == "practice.progress"
    assert reset["path"] == "/reset/<token>"
    assert "a-secret-reset-token" not in caplog.text


def test_with_the_request_log_off_no_line_is_written_but_ids_and_metrics_stay(
    tmp_path, seeded_database, request_lines
):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    quiet = make_app(tmp_path, REQUEST_LOG=False).test_client()
    before = metric(
        quiet,
        'coach_request_duration_seconds_count{method="GET",route="practice.questions",status="200"}',
    )

    response = quiet.get("/questions?page=1", headers={"X-Request-Id": "edge-quiet.1"})

    assert response.status_code == 200 and response.headers["X-Request-Id"] == "edge-quiet.1"
    assert request_lines() == []
    after = metric(
        quiet,
        'coach_request_duration_seconds_count{method="GET",route="practice.questions",status="200"}',
    )
    assert after == before + 1


def test_healthz_and_readyz_answer_when_the_database_and_queue_do(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.text.strip() == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ready", "checks": {"database": "ok", "task_queue": "ok"}}


def test_a_database_that_cannot_be_opened_is_unready_but_healthy(tmp_path):
    gone = tmp_path / "removed"  # the database's directory was removed under the server
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{gone / 'coach.db'}")
    client = app.test_client()

    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable"
    assert ready.json["checks"]["database"].startswith("failed")
    assert ready.json["checks"]["task_queue"] == "ok"


def test_an_unreachable_redis_queue_is_unready(app, tmp_path):
    closed = free_port()  # nothing listens there
    app = make_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed}/0")

    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"] == {"database": "ok", "task_queue": "failed: ConnectionError"}


def test_metrics_count_each_request_by_route_method_and_status(client):
    sample = 'coach_request_duration_seconds_count{method="GET",route="rubrics.index",status="200"}'
    before = metric(client, sample)
    assert client.get("/rubrics").status_code == 200
    assert metric(client, sample) == before + 1
    assert "coach_task_queue_depth 0.0" in client.get("/metrics").text


def test_metrics_time_the_scoring_of_a_submitted_answer(client, auth):
    auth.register_candidate()
    before = metric(client, "coach_scoring_duration_seconds_count")
    assert submit(client, ANSWER).status_code == 302
    assert metric(client, "coach_scoring_duration_seconds_count") == before + 1


def test_metrics_are_for_this_machine_unless_made_public(app):
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=elsewhere).status_code == 404
    # Through a proxy on this machine: loopback, but on behalf of someone else.
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 404

    app.config["METRICS_PUBLIC"] = True
    assert client.get("/metrics", environ_base=elsewhere).status_code == 200


def test_importing_the_app_and_serving_pages_loads_no_ai_client_queue_redis_or_postgres(tmp_path):
    """With the task consumer in another process (`coach worker`): the in-process one loads
    huey on the first request, and huey's storage module imports redis and psycopg."""
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "TASK_CONSUMER": "none"}
    code = (
        "import sys, app\n"
        f"client = app.create_app({config!r}).test_client()\n"
        "assert client.get('/healthz').status_code == 200\n"
        "assert client.get('/login').status_code == 200\n"
        "print(sorted(m for m in ('openai', 'huey', 'redis', 'psycopg') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"
