"""Coaches' tools: recomputing calibration after an edit, against scoring one 1,200-word answer
(timed alternately in one process)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from app import create_app
from app.bank.service import load_shipped_content, rubric_of
from app.extensions import db
from app.rubrics.calibration import add_sample, calibrate_version
from app.rubrics.services import start_draft
from benchmarks.scoring import EVAL_DIR, long_answer
from pm_scoring import score
from pm_scoring.evaluation import load_eval_set

ROUNDS = 15
SAMPLES = 30
TARGET = 20  # calibration may cost at most this many 1,200-word scorings


def calibration_cost(rounds: int = ROUNDS) -> dict[str, float]:
    """A draft of `incident-response` with 30 levelled samples: recomputing its calibration
    (each sample scored with the draft and with the live version, and the figures), as the
    editor does after each save, against scoring one 1,200-word answer."""
    instance = Path(tempfile.mkdtemp(prefix="coach-calibration-bench-"))
    app = create_app({"INSTANCE_PATH": str(instance), "TASK_CONSUMER": "none"})
    answers = [
        a
        for path in sorted(EVAL_DIR.glob("*outage*.yaml"))
        + sorted(EVAL_DIR.rglob("*/worldwide-outage.yaml"))
        for a in load_eval_set(path).answers
    ][:SAMPLES]
    with app.app_context():
        db.upgrade_schema()
        with db.session() as session:
            load_shipped_content(session)
            for answer in answers:
                add_sample(session, "incident-response", answer.text, answer.grade)
            draft = start_draft(session, "incident-response")
            rubric = rubric_of(draft)
            text = long_answer()
            calibrate_version(session, draft)  # warm: the live version compiled, words seen
            score(rubric, text)
            ratios, calibration_s, score_s = [], [], []
            for _ in range(rounds):
                start = time.perf_counter()
                calibrate_version(session, draft)
                middle = time.perf_counter()
                score(rubric, text)
                end = time.perf_counter()
                calibration_s.append(middle - start)
                score_s.append(end - middle)
                ratios.append((middle - start) / (end - middle))
    return {
        "samples": len(answers),
        "calibration_ms": 1000 * statistics.median(calibration_s),
        "score_ms": 1000 * statistics.median(score_s),
        "ratio": statistics.median(ratios),
    }


def report() -> str:
    cost = calibration_cost()
    verdict = "met" if cost["ratio"] <= TARGET else "NOT met"
    side = rescoring_side_by_side()
    slowdown = 1 - side["ratio"]
    side_verdict = "met" if slowdown <= SLOWDOWN_TARGET else "NOT met"
    return "\n".join(
        [
            "## Coaches' tools",
            "",
            f"Recomputing calibration for a draft with {cost['samples']} levelled samples (each "
            "scored with the draft and with the live version, then pairwise accuracy, QWK and "
            "the criteria most at odds), as the editor does after each save, against scoring "
            f"one 1,200-word answer, alternately in one process, median of {ROUNDS} rounds:",
            "",
            "| measure | median |",
            "|---|---|",
            f"| calibration | {cost['calibration_ms']:.1f} ms |",
            f"| scoring 1,200 words | {cost['score_ms']:.2f} ms |",
            f"| ratio | {cost['ratio']:.1f} |",
            "",
            f"Target: at most {TARGET}x. {verdict}.",
            "",
            f"Rescoring {side['attempts']:,} past answers beside the site: a worker process "
            "runs the rescoring task (at the lowest CPU priority, which the task gives itself) "
            "over and over, and is paused and resumed in turn while wrk loads a logged-in "
            "candidate's question list under gunicorn (2 workers), "
            f"{side['seconds']} s per run, medians:",
            "",
            "| measure | median |",
            "|---|---|",
            f"| pages/s, rescoring paused | {side['alone_rps']:.0f} |",
            f"| pages/s, rescoring running | {side['beside_rps']:.0f} |",
            f"| pages' speed while rescoring | {side['ratio']:.2f} of their speed alone |",
            f"| answers rescored/s, pages under full load | {side['rescored_per_s']:.0f} |",
            f"| answers rescored/s, no page traffic | {side['idle_rescored_per_s']:.0f} |",
            "",
            f"Target: pages slowed by at most {SLOWDOWN_TARGET:.0%}. {side_verdict} "
            f"({slowdown:.0%}). Under full load rescoring yields to the pages; on a quiet site "
            f"{side['attempts']:,} answers take about "
            f"{side['attempts'] / max(side['idle_rescored_per_s'], 1):.0f} s.",
            "",
        ]
    )


ATTEMPTS = 10_000
SLOWDOWN_TARGET = 0.20  # pages may lose at most this share of their speed while rescoring
# A worker that scores past answers again, over and over (starting afresh when it is done), at
# the priority the rescoring task gives itself: it stands for `coach worker` during a long job.
_RESCORING_WORKER = """
import sys
from sqlmodel import delete
from app import create_app
from app.extensions import db
from app.models import Rescore, Rescoring, RescoringStatus
from app.rubrics.rescoring import run_rescoring
app = create_app({"INSTANCE_PATH": sys.argv[1], "TASK_CONSUMER": "none"})
job_id = int(sys.argv[2])
with app.app_context():
    while True:
        with db.session() as session:
            run_rescoring(session, job_id)
            job = session.get(Rescoring, job_id)
            session.exec(delete(Rescore).where(Rescore.rubric_version_id == job.rubric_version_id))
            job.status, job.done, job.changed = RescoringStatus.PENDING, 0, 0
            session.commit()
"""


def _seed_answers(instance: Path, count: int) -> int:
    """`count` scored answers by the bench's candidate under the live version, a new version
    published, and a rescoring job for it; returns the job's id."""
    from sqlalchemy import insert
    from sqlmodel import select

    from app.bank.service import live_rubric_version
    from app.models import Attempt, AttemptStatus, Question, Score, User, utcnow
    from app.rubrics.rescoring import start_rescoring
    from app.rubrics.services import publish_draft
    from app.scoring import question_as_asked

    app = create_app({"INSTANCE_PATH": str(instance), "TASK_CONSUMER": "none"})
    with app.app_context(), db.session() as session:
        candidate = session.exec(select(User).where(User.email == "candidate@bench.example")).one()
        question = session.exec(select(Question).where(Question.slug == "worldwide-outage")).one()
        live = live_rubric_version(session, question.rubric_id)
        texts = [a.text for a in load_eval_set(EVAL_DIR / "worldwide-outage.yaml").answers]
        asked = question_as_asked(question.title, question.prompt)
        reports = [score(rubric_of(live), text, asked).to_dict() for text in texts]
        now = utcnow()
        first = (session.exec(select(Attempt.id).order_by(Attempt.id.desc())).first() or 0) + 1
        session.execute(
            insert(Attempt),
            [
                {
                    "id": first + i,
                    "user_id": candidate.id,
                    "question_id": question.id,
                    "answer_text": texts[i % len(texts)],
                    "status": AttemptStatus.SUBMITTED.value,
                    "time_spent_seconds": 300,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
                for i in range(count)
            ],
        )
        session.execute(
            insert(Score),
            [
                {
                    "attempt_id": first + i,
                    "rubric_version_id": live.id,
                    "overall": reports[i % len(texts)]["overall"],
                    "criteria": reports[i % len(texts)]["criteria"],
                    "flags": reports[i % len(texts)]["flags"],
                    "engine_version": reports[i % len(texts)]["engine_version"],
                    "created_at": now,
                }
                for i in range(count)
            ],
        )
        session.commit()
        draft = start_draft(session, question.rubric_id)
        published = publish_draft(session, draft.id)
        return start_rescoring(session, published, candidate.id).id


def _rescored(instance: Path, job_id: int) -> int:
    import sqlite3

    with sqlite3.connect(instance / "coach.db") as connection:
        (done,) = connection.execute(
            "SELECT done FROM rescorings WHERE id = ?", (job_id,)
        ).fetchone()
        return done


def _rescored_during(instance: Path, job_id: int, window) -> tuple[object, float]:
    """Run `window()`; return what it returned and the answers rescored per second meanwhile
    (the worker starts again from 0 when it finishes a pass of ATTEMPTS)."""
    before, start = _rescored(instance, job_id), time.monotonic()
    result = window()
    after = _rescored(instance, job_id)
    done = after - before if after >= before else ATTEMPTS - before + after
    return result, done / (time.monotonic() - start)


def rescoring_side_by_side(rounds: int = 4) -> dict[str, float]:
    """Pages per second (a logged-in candidate's question list, under gunicorn) with a long
    rescoring running in a worker process and with it paused, alternately in one run."""
    import os
    import signal
    import subprocess
    import sys

    from benchmarks.web import SECONDS, _gunicorn, _logged_in, _wrk

    instance = Path(tempfile.mkdtemp(prefix="coach-rescoring-bench-"))
    env = {**os.environ, "COACH_INSTANCE_PATH": str(instance)}
    env.pop("COACH_DATABASE_URL", None)
    coach = str(Path(sys.executable).parent / "coach")
    subprocess.run([coach, "init"], env=env, check=True, capture_output=True)
    with _gunicorn("app:create_app()", env) as site:
        cookies, _ = _logged_in(site)
        job_id = _seed_answers(instance, ATTEMPTS)
        worker = subprocess.Popen(
            [sys.executable, "-c", _RESCORING_WORKER, str(instance), str(job_id)], env=env
        )
        try:
            page = site + "/questions"
            _wrk(page, None, cookies)  # warm
            ratios, quiet, busy, rates, idle_rates = [], [], [], [], []
            for _ in range(rounds):
                worker.send_signal(signal.SIGSTOP)
                alone = _wrk(page, None, cookies)
                worker.send_signal(signal.SIGCONT)
                beside, rate = _rescored_during(instance, job_id, lambda: _wrk(page, None, cookies))
                _, idle_rate = _rescored_during(instance, job_id, lambda: time.sleep(SECONDS))
                quiet.append(alone)
                busy.append(beside)
                ratios.append(beside / alone)
                rates.append(rate)
                idle_rates.append(idle_rate)
        finally:
            worker.kill()
            worker.wait()
    return {
        "attempts": ATTEMPTS,
        "alone_rps": statistics.median(quiet),
        "beside_rps": statistics.median(busy),
        "ratio": statistics.median(ratios),
        "rescored_per_s": statistics.median(rates),  # while the pages are under full load
        "idle_rescored_per_s": statistics.median(idle_rates),  # with no page traffic
        "seconds": SECONDS,
    }
