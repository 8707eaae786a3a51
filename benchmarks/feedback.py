"""The app's own overhead for AI feedback: from enqueueing the task to the stored feedback, with a
stand-in server that answers at once (so the time measured is queue, task and database)."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from app import create_app
from app.auth.services import register_user
from app.bank.service import load_shipped_content
from app.extensions import db
from app.feedback.service import start_feedback
from app.feedback.settings import LLMSettings
from app.models import Feedback, FeedbackStatus
from app.practice.services import submit_attempt
from tests.feedback.standin import Reply, StandIn, completion

ROUNDS = 40
REPLY = json.dumps({"summary": "Fine.", "criteria": [], "rewrite": ""})


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    instance = Path(tempfile.mkdtemp(prefix="coach-feedback-bench-"))
    with StandIn() as server:
        server.always(Reply(body=completion(REPLY)))
        app = create_app(
            {
                "INSTANCE_PATH": str(instance),
                "OPENAI_API_KEY": "bench",
                "OPENAI_BASE_URL": server.base_url,
                "LLM_MAX_RETRIES": 0,
                "TASK_CONSUMER": "none",
            }
        )
        queue = app.extensions["tasks"]
        with app.app_context():
            db.upgrade_schema()
            with db.session() as session:
                load_shipped_content(session)
                user = register_user(session, "bench@example.com", "benchmark password")
            queue.start_consumer()
            overheads = []
            for i in range(rounds):
                with db.session() as session:
                    answer = f"We roll back the release and apologise (round {i})."
                    attempt_id = submit_attempt(session, user.id, "worldwide-outage", answer, 60)
                    settings = LLMSettings.from_config(app.config)
                    record, _ = start_feedback(session, settings, user.id, attempt_id)
                    started = time.perf_counter()
                    queue.enqueue_feedback(record.id)
                    done = _wait(session, record.id)
                overheads.append((time.perf_counter() - started) * 1000)
                assert done.status == FeedbackStatus.OK, done.reason
            queue.stop_consumer()
    return {
        "rounds": rounds,
        "median_ms": statistics.median(overheads),
        "p90_ms": sorted(overheads)[int(0.9 * len(overheads)) - 1],
    }


def _wait(session: Session, feedback_id: int, seconds: float = 10) -> Feedback:
    deadline = time.monotonic() + seconds
    while True:
        session.expire_all()
        record = session.get(Feedback, feedback_id)
        if record.status != FeedbackStatus.PENDING or time.monotonic() > deadline:
            return record
        time.sleep(0.002)


def report() -> str:
    r = measure()
    verdict = "met" if r["median_ms"] <= 100 else "NOT met"
    return "\n".join(
        [
            "## AI feedback overhead",
            "",
            f"From enqueueing the task to the stored feedback, {r['rounds']} answers, SqliteHuey",
            "consumed in-process, a stand-in OpenAI-compatible server on 127.0.0.1 that answers at",
            "once (the real `openai` client over HTTP).",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| median | {r['median_ms']:.0f} ms | <= 100 ms ({verdict}) |",
            f"| 90th percentile | {r['p90_ms']:.0f} ms | |",
            "",
        ]
    )
