"""Two writes of one draft at the same moment (two submissions from a double click, two saves of
a new key): one row, one score, on SQLite here and on PostgreSQL in tests/postgres."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlmodel import select

from app.auth.services import register_user
from app.extensions import db
from app.models import Attempt, AttemptStatus, Score
from app.practice.services import AlreadySubmitted, DraftChanged, save_draft, submit_attempt

SLUG = "worldwide-outage"
ANSWER = "We roll back the release at once, apologise on the status page and run a postmortem."


def at_once(action: Callable[[], object], times: int = 2) -> list[object]:
    """Run `action` in `times` threads released at the same instant; what each returned or
    raised."""
    outcomes: list[object] = []
    start = threading.Barrier(times)

    def run() -> None:
        start.wait()
        try:
            outcomes.append(action())
        except Exception as exc:  # what a thread raised is its outcome
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def race(user_id: int, draft_id: int) -> list[int | AlreadySubmitted]:
    """Submit the draft (under its key, as the page posts it) from two threads at once."""
    with db.session() as session:
        draft = session.get(Attempt, draft_id)
        key, version = draft.draft_key, draft.version + 1

    def submit_once() -> int:
        with db.session() as session:
            return submit_attempt(session, user_id, SLUG, ANSWER, 60, key, version)

    return at_once(submit_once)  # type: ignore[return-value]


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


def test_concurrent_first_submissions_under_one_key_store_one_attempt(app):
    """No draft yet: both insert under the page's key; the unique key lets one in."""
    with app.app_context():
        with db.session() as session:
            user_id = register_user(session, "double@example.com", "a long password").id
        for round_ in range(5):

            def submit_once(key: str = f"page-key-{round_}") -> int:
                with db.session() as session:
                    return submit_attempt(session, user_id, SLUG, ANSWER, 60, key, 1)

            outcomes = at_once(submit_once)
            assert sorted(map(type, outcomes), key=str) == [AlreadySubmitted, int]
        with db.session() as session:
            attempts = session.exec(select(Attempt).where(Attempt.user_id == user_id)).all()
            scores = session.exec(select(Score)).all()
        assert len(attempts) == 5 and len(scores) == 5


def test_concurrent_saves_of_a_new_key_make_one_draft(app):
    """A save and its resend (or two tabs sharing a key) arriving together: one row, holding
    the newer version."""
    with app.app_context():
        with db.session() as session:
            user_id = register_user(session, "saver@example.com", "a long password").id
        for round_ in range(5):
            versions = iter([1, 2])

            def save_once(key: str = f"new-key-{round_}", versions=versions) -> int:
                version = next(versions)  # one thread sends version 1, the other version 2
                with db.session() as session:
                    return save_draft(
                        session, user_id, SLUG, f"text v{version}", 30, key, version
                    ).version

            outcomes = at_once(save_once)
            # Version 1 lands first and is then overwritten, or arrives late and is refused.
            assert 2 in outcomes
            assert all(o == 1 or o == 2 or isinstance(o, DraftChanged) for o in outcomes)
        with db.session() as session:
            drafts = session.exec(select(Attempt).where(Attempt.user_id == user_id)).all()
        assert len(drafts) == 5
        assert all((d.version, d.answer_text) == (2, "text v2") for d in drafts)
