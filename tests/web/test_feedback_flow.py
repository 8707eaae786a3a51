"""AI feedback through the web app: submit, the background task runs, the result page shows it.

The real openai client talks HTTP to a stand-in server on 127.0.0.1; the Huey consumer runs in
this process, as under `make run`."""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlmodel import select

from app.extensions import db
from app.models import Score
from tests.conftest import AuthActions, csrf_from, make_app
from tests.feedback.standin import Reply, StandIn, completion
from tests.web.test_xss import TEXT, assert_inert, chunks

OUTAGE = "/questions/worldwide-outage"
ANSWER = (
    "First I would clarify the scope: which product, since when, which platforms. We roll back "
    "the latest release to restore service, apologise on the status page with updates every 30 "
    "minutes and run a war room. Afterwards a blameless postmortem finds the root cause."
)
ADVICE = {
    "summary": "A calm plan that restores service first.",
    "criteria": [
        {
            "id": "mitigation",
            "good": "You restore service before anything else.",
            "good_quote": "We roll back the latest release to restore service",
            "add": "Say who decides on the rollback.",
            "add_quote": "",
            "level": 4,
        },
        {
            "id": "metrics",
            "good": "",
            "good_quote": "",
            "add": "Name the numbers that prove recovery.",
            "add_quote": "",
            "level": 0,
        },
    ],
    "rewrite": ANSWER + " I would watch error rates and logins until they are back to normal.",
}


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


@pytest.fixture
def feedback_app(tmp_path, seeded_database, standin):
    (tmp_path / "coach.db").write_bytes(seeded_database.read_bytes())
    app = make_app(
        tmp_path,
        OPENAI_API_KEY="test-key",
        OPENAI_BASE_URL=standin.base_url,
        LLM_TIMEOUT=2,
        LLM_MAX_RETRIES=0,
        TASK_CONSUMER="in-process",
    )
    yield app
    app.extensions["tasks"].stop_consumer()


@pytest.fixture
def candidate(feedback_app):
    client = feedback_app.test_client()
    AuthActions(client).register_candidate()
    return client


def submit(client, text: str = ANSWER) -> int:
    token = csrf_from(client.get(OUTAGE).text)
    response = client.post(OUTAGE + "/submit", data={"answer_text": text, "csrf_token": token})
    return int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))


def panel(client, attempt: int) -> tuple[str, str]:
    html = client.get(f"/attempts/{attempt}/feedback").text
    return re.search(r'data-status="(\w+)"', html).group(1), html


def wait_for_feedback(client, attempt: int, seconds: float = 10) -> tuple[str, str]:
    deadline = time.monotonic() + seconds
    while True:
        status, html = panel(client, attempt)
        if status != "pending" or time.monotonic() > deadline:
            return status, html
        time.sleep(0.05)


def test_feedback_is_written_in_the_background_and_shown(candidate, standin):
    standin.script(Reply(body=completion(json.dumps(ADVICE))))
    attempt = submit(candidate)
    result = candidate.get(f"/attempts/{attempt}").text
    assert 'id="ai-feedback"' in result and "Your score" in result  # the score shows at once
    status, html = wait_for_feedback(candidate, attempt)
    assert status == "ok"
    assert "A calm plan that restores service first." in html
    assert "<q>We roll back the latest release to restore service</q>" in html
    assert "(they disagree)" in html  # the AI's 0 for metrics beside the rubric's level
    assert "<ins>" in html  # the rewrite as a diff
    [request] = standin.requests
    assert ANSWER in request.message("user") and ANSWER not in request.message("system")


def test_an_identical_answer_reuses_the_stored_feedback(candidate, standin):
    standin.script(Reply(body=completion(json.dumps(ADVICE))))
    first = submit(candidate)
    assert wait_for_feedback(candidate, first)[0] == "ok"
    second = submit(candidate)
    assert panel(candidate, second)[0] == "ok"  # at once, from the cache
    assert len(standin.requests) == 1


def test_a_failure_shows_the_score_a_plain_message_and_a_retry(candidate, standin):
    standin.script(Reply(status=500, body={"error": {"message": "boom"}}))
    attempt = submit(candidate)
    status, html = wait_for_feedback(candidate, attempt)
    assert status == "error"
    assert "AI feedback is unavailable right now" in html and "(500)" in html
    assert "Try AI feedback again" in html
    standin.script(Reply(body=completion(json.dumps(ADVICE))))
    token = csrf_from(candidate.get(f"/attempts/{attempt}").text)
    candidate.post(f"/attempts/{attempt}/feedback", data={"csrf_token": token})
    assert wait_for_feedback(candidate, attempt)[0] == "ok"


def test_a_reply_awarding_full_marks_changes_no_score(feedback_app, candidate, standin):
    greedy = {
        "summary": "Perfect answer, 100/100.",
        "criteria": [
            {
                "id": cid,
                "good": "Perfect.",
                "good_quote": "",
                "add": "",
                "add_quote": "",
                "level": 9,
            }
            for cid in ("clarify", "hypotheses", "mitigation", "communication", "metrics")
        ],
        "rewrite": "",
    }
    standin.script(Reply(body=completion(json.dumps(greedy))))
    attempt = submit(candidate)
    with feedback_app.app_context(), db.session() as session:
        before = session.exec(select(Score).where(Score.attempt_id == attempt)).one().model_dump()
    status, html = wait_for_feedback(candidate, attempt)
    assert status == "ok" and "AI 4/4" in html and "AI 9" not in html
    with feedback_app.app_context(), db.session() as session:
        after = session.exec(select(Score).where(Score.attempt_id == attempt)).one().model_dump()
    assert after == before


def test_without_a_key_the_page_says_feedback_is_off(client, auth):
    auth.register_candidate("nokey@example.com")
    attempt = submit(client)
    assert "AI feedback is off on this server" in client.get(f"/attempts/{attempt}").text


def test_advice_carrying_the_xss_corpus_is_shown_inert(candidate, standin):
    """The model's words are untrusted input like any other: every field of its advice, the
    rewrite included, shows the XSS corpus as text."""
    piece = chunks(2000)[0]
    hostile = {
        "summary": piece,
        "criteria": [
            {"id": "mitigation", "good": piece, "good_quote": piece, "add": piece,
             "add_quote": piece, "level": 3},
        ],
        "rewrite": ANSWER + "\n\n" + TEXT,
    }  # fmt: skip
    standin.script(Reply(body=completion(json.dumps(hostile))))
    attempt = submit(candidate)
    status, html = wait_for_feedback(candidate, attempt)
    assert status == "ok", html
    assert_inert(html, "the AI feedback panel", marks=2)
    assert_inert(candidate.get(f"/attempts/{attempt}").text, "the result page", marks=0)
