"""The next step after a result: the follow-up, a question aimed at the weakest criterion (with
the reason in a line), and trying again; `next_question` also serves the home page."""

from __future__ import annotations

import html
import re

from sqlmodel import select

from app.extensions import db
from app.models import Attempt, AttemptStatus, Question, User
from app.practice.suggest import WeakCriterion, next_question
from app.practice.suggest import _first_question as first_question
from pm_scoring import load_rubric
from tests.conftest import csrf_from
from tests.web.test_follow_ups import ANSWER
from tests.web.test_practice import attempt_id

PAYMENTS_SLUG = "payments-failing-five-percent"
PAYMENTS = f"/questions/{PAYMENTS_SLUG}"
METRICS_TITLE = "Measures recovery and trust"


def submit_to(client, path: str, text: str = ANSWER) -> int:
    token = csrf_from(client.get(path).text)
    response = client.post(path + "/submit", data={"answer_text": text, "csrf_token": token})
    return attempt_id(response)


def practise_next(page: str) -> tuple[str, str]:
    """The suggested question's link and the reason given, from a result page."""
    item = re.search(r'<li class="practise-next">(.*?)</li>', page, re.S).group(1)
    href = re.search(r'href="([^"]+)"', item).group(1)
    reason = html.unescape(re.search(r'<span class="reason">(.*?)</span>', item, re.S).group(1))
    return href, reason


def user_id(app, email: str) -> int:
    with app.app_context(), db.session() as session:
        return session.exec(select(User.id).where(User.email == email)).one()


def test_the_next_step_offers_the_follow_up_a_question_for_the_weak_criterion_and_a_retry(
    client, auth
):
    auth.register_candidate()
    attempt = submit_to(client, "/questions/worldwide-outage")
    page = client.get(f"/attempts/{attempt}").text
    assert 'href="#follow-up">Answer the follow-up</a>' in page
    href, reason = practise_next(page)
    assert href == PAYMENTS  # another question, scored by the same rubric
    assert reason == (
        f"Works on “{METRICS_TITLE}”, your weakest criterion in this answer (1 of 4): "
        "it is scored by the same rubric."
    )
    assert f'action="/attempts/{attempt}/retry"' in page.split('id="next-step"')[1]
    assert "Try this question again</button>" in page


def test_questions_answered_lately_give_way_to_a_rubric_with_the_same_kind_of_criterion(
    app, client, auth
):
    auth.register_candidate()
    outage = submit_to(client, "/questions/worldwide-outage")
    submit_to(client, PAYMENTS)
    href, reason = practise_next(client.get(f"/attempts/{outage}").text)
    slug = href.rsplit("/", 1)[1]
    with app.app_context(), db.session() as session:
        suggested = session.exec(select(Question).where(Question.slug == slug)).one()
    assert suggested.rubric_id in {"execution", "product-design"}  # both score "metrics"
    there = next(c for c in load_rubric(suggested.rubric_id).criteria if c.spec.id == "metrics")
    assert reason.endswith(f"its rubric scores the same skill, as “{there.spec.title}”.")


def test_a_new_candidate_is_offered_an_easy_first_question(app, client, auth):
    auth.register_candidate("new@example.com")
    with app.app_context(), db.session() as session:
        suggestion = next_question(session, user_id(app, "new@example.com"))
    assert suggestion is not None and suggestion.question.difficulty == "easy"
    assert suggestion.reason.startswith("A good first question")


def test_with_no_criterion_named_the_weakest_across_recent_answers_is_aimed_at(app, client, auth):
    auth.register_candidate("steady@example.com")
    submit_to(client, "/questions/worldwide-outage")
    with app.app_context(), db.session() as session:
        suggestion = next_question(session, user_id(app, "steady@example.com"))
    assert suggestion is not None and suggestion.question.slug == PAYMENTS_SLUG
    assert suggestion.criterion.id == "metrics"
    assert "across your latest answers" in suggestion.reason


def test_the_question_just_answered_is_never_suggested(app, client, auth):
    auth.register_candidate("again@example.com")
    weak = WeakCriterion("failure-story", "learning", "Draws specific lessons", 0)
    with app.app_context(), db.session() as session:
        only = session.exec(select(Question).where(Question.rubric_id == "failure-story")).one()
        suggestion = next_question(
            session, user_id(app, "again@example.com"), weak, exclude={only.id}
        )
    # The one failure-story question is excluded: a STAR question also scores "learning".
    assert suggestion is not None and suggestion.question.id != only.id
    assert suggestion.question.rubric_id == "star"


def test_a_retired_question_is_never_suggested(app, client, auth):
    auth.register_candidate("retired@example.com")
    with app.app_context(), db.session() as session:
        payments = session.exec(select(Question).where(Question.slug == PAYMENTS_SLUG)).one()
        payments.retired_at = payments.created_at
        session.add(payments)
        session.commit()
    attempt = submit_to(client, "/questions/worldwide-outage")
    href, _ = practise_next(client.get(f"/attempts/{attempt}").text)
    assert href != PAYMENTS


def test_a_skill_no_other_question_tests_still_gets_something_new(app, client, auth):
    auth.register_candidate("unique@example.com")
    weak = WeakCriterion("failure-story", "next_time", "Shows the change stuck", 1)
    with app.app_context(), db.session() as session:
        only = session.exec(select(Question).where(Question.rubric_id == "failure-story")).one()
        suggestion = next_question(
            session, user_id(app, "unique@example.com"), weak, exclude={only.id}
        )
    assert suggestion is not None and suggestion.question.id != only.id
    assert suggestion.reason == "Something new: a question you have not answered lately."


def test_the_pick_is_unanswered_first_then_easy_medium_hard_then_unrated_each_by_title(
    app, client, auth
):
    auth.register_candidate("order@example.com")
    candidate = user_id(app, "order@example.com")
    levels = {"Hard one": "hard", "Any level": None, "Medium b": "medium", "Medium a": "medium"}
    levels |= {"Easy but answered": "easy", "Easy one": "easy", "Odd level": "expert"}
    with app.app_context(), db.session() as session:
        questions = {
            title: Question(
                slug=title.lower().replace(" ", "-"),
                title=title,
                prompt="A question made for this test.",
                rubric_id="pick-order",
                difficulty=difficulty,
            )
            for title, difficulty in levels.items()
        }
        session.add_all(questions.values())
        session.flush()
        answered = questions["Easy but answered"]
        session.add(
            Attempt(user_id=candidate, question_id=answered.id, status=AttemptStatus.SUBMITTED)
        )
        session.commit()
        picked: list[str] = []
        avoid: set[int] = set()
        while (question := first_question(session, ["pick-order"], avoid, candidate)) is not None:
            picked.append(question.title)
            avoid.add(question.id)
    assert picked == [
        "Easy one",
        "Medium a",
        "Medium b",
        "Hard one",
        "Any level",
        "Odd level",
        "Easy but answered",
    ]
