"""Review: a candidate shares an answer with a coach, who comments on it and gives their own
level for a criterion; the candidate sees both, marked as the coach's, and is notified."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from sqlmodel import select

from app.extensions import db
from app.models import LevelOverride, Score
from app.rubrics.calibration import samples_of
from tests.conftest import AuthActions, csrf_from
from tests.web.test_practice import ANSWER, attempt_id, submit
from tests.web.test_rubrics import coach_client

ROLLBACK = "We would roll back the latest release to restore service for everyone."


def candidate_with_answer(app: Flask, email: str = "candidate@example.com"):
    client = app.test_client()
    auth = AuthActions(client)
    auth.register("someone-first@example.com")  # the first account is the admin
    auth.logout()
    auth.register(email)
    return client, attempt_id(submit(client, ANSWER))


def share(client, attempt: int, email: str):
    page = client.get(f"/attempts/{attempt}")
    return client.post(
        f"/attempts/{attempt}/shares", data={"email": email, "csrf_token": csrf_from(page.text)}
    )


def post_on_review(coach, attempt: int, action: str, data: dict):
    token = csrf_from(coach.get(f"/coach/reviews/{attempt}").text)
    return coach.post(f"/coach/reviews/{attempt}/{action}", data={"csrf_token": token, **data})


def test_a_candidate_shares_an_answer_with_a_coach_and_can_stop(app):
    candidate, attempt = candidate_with_answer(app)
    coach = coach_client(app)
    assert "Nothing shared with you" in coach.get("/coach/reviews").text
    assert coach.get(f"/coach/reviews/{attempt}").status_code == 404

    shared = share(candidate, attempt, "COACH@example.com ")
    assert shared.headers["Location"].endswith(f"/attempts/{attempt}#sharing")
    result = candidate.get(f"/attempts/{attempt}").text
    assert "coach@example.com (since" in result and "Stop sharing" in result
    queue = coach.get("/coach/reviews").text
    assert f'href="/coach/reviews/{attempt}"' in queue and "candidate@example.com" in queue
    assert '<span class="pill">new</span>' in queue
    assert coach.get(f"/coach/reviews/{attempt}").status_code == 200
    assert '<span class="pill">new</span>' not in coach.get("/coach/reviews").text  # now read

    revoke_url = next(
        line.split('action="')[1].split('"')[0] for line in result.splitlines() if "/revoke" in line
    )
    stopped = candidate.post(revoke_url, data={"csrf_token": csrf_from(result)})
    assert stopped.status_code == 302
    assert coach.get(f"/coach/reviews/{attempt}").status_code == 404
    assert f'href="/coach/reviews/{attempt}"' not in coach.get("/coach/reviews").text
    assert "Only you can see this answer" in candidate.get(f"/attempts/{attempt}").text


def test_only_a_coach_account_can_be_shared_with(app):
    candidate, attempt = candidate_with_answer(app)
    AuthActions(app.test_client()).register("other-candidate@example.com")
    for email in ("nobody@example.com", "other-candidate@example.com"):
        share(candidate, attempt, email)
        page = candidate.get(f"/attempts/{attempt}").text
        assert "No coach has an account with that email." in page
        assert "Only you can see this answer" in page


def test_a_coach_sees_only_what_was_shared_with_them(app):
    candidate, attempt = candidate_with_answer(app)
    coach_client(app, "coach", "first-coach@example.com")
    share(candidate, attempt, "first-coach@example.com")
    other = coach_client(app, "coach", "second-coach@example.com")
    assert other.get(f"/coach/reviews/{attempt}").status_code == 404
    token = csrf_from(other.get("/coach/reviews").text)
    refused = other.post(
        f"/coach/reviews/{attempt}/comments", data={"csrf_token": token, "body": "Nice."}
    )
    assert refused.status_code == 404
    assert f"/coach/reviews/{attempt}" not in other.get("/coach/reviews").text


def test_comments_reach_the_candidate_marked_as_the_coachs_with_a_notification(app):
    candidate, attempt = candidate_with_answer(app)
    coach = coach_client(app)
    share(candidate, attempt, "coach@example.com")
    start = ANSWER.index(ROLLBACK)
    on_sentence = post_on_review(
        coach,
        attempt,
        "comments",
        {"body": "Say who decides to roll back.", "start": start, "end": start + len(ROLLBACK)},
    )
    assert on_sentence.status_code == 302
    overall = post_on_review(coach, attempt, "comments", {"body": "A calm, ordered answer."})
    assert overall.status_code == 302

    home = candidate.get("/").text
    assert 'aria-label="2 new"' in home
    assert "A coach commented on your answer" in candidate.get("/notifications").text
    result = candidate.get(f"/attempts/{attempt}").text
    assert f"<q>{ROLLBACK}</q>" in result and "Say who decides to roll back." in result
    assert "<strong>Overall:</strong>" in result and "– coach@example.com" in result
    assert 'aria-label="2 new"' not in candidate.get("/").text  # seen


def test_a_comment_on_words_outside_the_answer_is_refused_and_says_why(app):
    candidate, attempt = candidate_with_answer(app)
    coach = coach_client(app)
    share(candidate, attempt, "coach@example.com")
    refused = post_on_review(
        coach, attempt, "comments", {"body": "Hm.", "start": 5, "end": len(ANSWER) + 50}
    )
    assert refused.status_code == 422 and "That passage is not in this answer." in refused.text
    empty = post_on_review(coach, attempt, "comments", {"body": "  "})
    assert empty.status_code == 422 and "Write the comment." in empty.text


def test_an_override_is_shown_beside_the_engine_logged_and_reversible(app):
    candidate, attempt = candidate_with_answer(app)
    coach = coach_client(app)
    share(candidate, attempt, "coach@example.com")
    with app.app_context(), db.session() as session:
        stored = session.exec(select(Score).where(Score.attempt_id == attempt)).one()
        engine_level = next(c["score"] for c in stored.criteria if c["id"] == "communication")
        before = (stored.overall, stored.criteria)
    new_level = 0 if engine_level else 4
    reason = "The status page update came far too late."
    done = post_on_review(
        coach,
        attempt,
        "overrides",
        {"criterion": "communication", "level": new_level, "reason": reason},
    )
    assert done.status_code == 302
    result = candidate.get(f"/attempts/{attempt}").text
    assert f"Coach's level: {new_level}/4" in result and reason in result
    assert f"the engine gave {engine_level}/4" in result
    with app.app_context(), db.session() as session:
        stored = session.exec(select(Score).where(Score.attempt_id == attempt)).one()
        assert (stored.overall, stored.criteria) == before  # the score of record stands
        (override,) = session.exec(select(LevelOverride)).all()

    no_reason = post_on_review(
        coach, attempt, "overrides", {"criterion": "communication", "level": 2, "reason": ""}
    )
    assert no_reason.status_code == 422 and "Say why" in no_reason.text

    reverted = post_on_review(coach, attempt, f"overrides/{override.id}/revert", {})
    assert reverted.status_code == 302
    assert "Coach's level" not in candidate.get(f"/attempts/{attempt}").text
    log = coach.get(f"/coach/reviews/{attempt}").text
    assert reason in log and "reverted" in log


def test_the_queue_puts_unread_first_and_filters_by_candidate_and_question(app):
    first, first_attempt = candidate_with_answer(app, "ann@example.com")
    second = app.test_client()
    AuthActions(second).register("bob@example.com")
    second_attempt = attempt_id(submit(second, ANSWER + " Then we rolled back."))
    coach = coach_client(app)
    share(first, first_attempt, "coach@example.com")
    coach.get(f"/coach/reviews/{first_attempt}")  # read
    share(second, second_attempt, "coach@example.com")
    queue = coach.get("/coach/reviews").text
    assert queue.index(f"/coach/reviews/{second_attempt}") < queue.index(
        f"/coach/reviews/{first_attempt}"
    )
    only_ann = coach.get("/coach/reviews?candidate=ANN@example.com").text
    assert f"/coach/reviews/{first_attempt}" in only_ann
    assert f"/coach/reviews/{second_attempt}" not in only_ann
    other_question = coach.get("/coach/reviews?question=launch-slipping").text
    assert "Nothing shared with you matches these filters" in other_question


def test_a_shared_answer_can_become_a_calibration_sample(app):
    candidate, attempt = candidate_with_answer(app)
    coach = coach_client(app)
    share(candidate, attempt, "coach@example.com")
    kept = post_on_review(coach, attempt, "sample", {"level": 4})
    assert kept.status_code == 302
    with app.app_context(), db.session() as session:
        (sample,) = samples_of(session, "incident-response")
    assert sample.level == 4 and sample.text == ANSWER
    assert "Kept as a level-4 sample" in coach.get(f"/coach/reviews/{attempt}").text
    assert '<tr class="sample' in coach.get("/coach/rubrics/incident-response").text


def test_a_share_link_lets_coaches_in_until_the_candidate_revokes_it(app):
    candidate, attempt = candidate_with_answer(app)
    page = candidate.get(f"/attempts/{attempt}").text
    made = candidate.post(f"/attempts/{attempt}/share-link", data={"csrf_token": csrf_from(page)})
    assert made.status_code == 302
    page = candidate.get(f"/attempts/{attempt}").text
    link = re.search(
        r'class="share-link" type="text" readonly aria-label="Share link" value="([^"]+)"', page
    )
    path = urlsplit(link.group(1)).path
    assert path.startswith("/coach/shared/")

    another_candidate = app.test_client()
    AuthActions(another_candidate).register("curious@example.com")
    assert another_candidate.get(path).status_code == 403  # only coaches may open it
    coach = coach_client(app)
    offer = coach.get(path)  # opening the link changes nothing: a page with a button
    assert offer.status_code == 200 and "Add to my reviews" in offer.text
    assert coach.get(f"/coach/reviews/{attempt}").status_code == 404
    assert "(1 coach so far)" not in candidate.get(f"/attempts/{attempt}").text
    assert coach.post(path).status_code == 400  # taking it needs the page's CSRF token
    taken = coach.post(path, data={"csrf_token": csrf_from(offer.text)})
    assert taken.headers["Location"] == f"/coach/reviews/{attempt}"
    assert coach.get(f"/coach/reviews/{attempt}").status_code == 200
    assert "(1 coach so far)" in candidate.get(f"/attempts/{attempt}").text
    assert "already in your reviews" in coach.get(path).text

    page = candidate.get(f"/attempts/{attempt}").text
    revoke = re.search(r'action="(/attempts/\d+/shares/\d+/revoke)"', page).group(1)
    candidate.post(revoke, data={"csrf_token": csrf_from(page)})
    assert coach.get(f"/coach/reviews/{attempt}").status_code == 404
    late = coach_client(app, "coach", "late-coach@example.com")
    assert late.get(path).status_code == 404
    token = csrf_from(late.get("/coach/reviews").text)
    assert late.post(path, data={"csrf_token": token}).status_code == 404
