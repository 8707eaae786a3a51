"""Two submissions of one draft at the same moment (two tabs, a double click): one wins."""

from __future__ import annotations

import threading

from sqlmodel import select

from app.auth.services import register_user
from app.extensions import db
from app.models import Attempt, AttemptStatus, Score
from app.practice.services import AlreadySubmitted, save_draft, submit_attempt

SLUG = "worldwide-outage"
ANSWER = "We roll back the release at once, apologise on the status page and run a postmortem."


def race(user_id: int, draft_id: int) -> list[int | AlreadySubmitted]:
    """Submit the draft from two threads released at the same instant."""
    outcomes: list[int | AlreadySubmitted] = []
    start = threading.Barrier(2)

    def submit_once() -> None:
        start.wait()
        with db.session() as session:
            try:
                outcomes.append(submit_attempt(session, user_id, SLUG, ANSWER, 60, draft_id))
            except AlreadySubmitted as exc:
                outcomes.append(exc)

    threads = [threading.Thread(target=submit_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_submissions_of_one_draft_store_one_score(app):
    with app.app_context():
        with db.session() as session:
            user_id = register_user(session, "racer@example.com", "a long password").id
        for round_ in range(10):
            with db.session() as session:
                draft_id = save_draft(session, user_id, SLUG, f"draft {round_}", 30).id

            outcomes = race(user_id, draft_id)

            assert sorted(map(type, outcomes), key=str) == [AlreadySubmitted, int]
            assert draft_id in outcomes
            loser = next(o for o in outcomes if isinstance(o, AlreadySubmitted))
            assert loser.attempt_id == draft_id
            with db.session() as session:
                scores = session.exec(select(Score).where(Score.attempt_id == draft_id)).all()
                attempt = session.get(Attempt, draft_id)
            assert len(scores) == 1
            assert attempt.status == AttemptStatus.SUBMITTED and attempt.answer_text == ANSWER
