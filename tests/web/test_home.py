"""The home page: how scoring works with a real sample result; for a signed-in candidate the
draft to continue, recent scores and the next suggestion; cached only for anonymous visitors."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.extensions import db
from app.models import Question
from app.practice.home import SAMPLE_ANSWER, SAMPLE_SLUG
from app.scoring import question_as_asked
from pm_scoring import load_rubric, score
from tests.conftest import AuthActions, csrf_from
from tests.web.test_practice import ANSWER, OUTAGE
from tests.web.test_progress import submit_to


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


def overall_on(page: str) -> int:
    found = re.search(r'class="sample-overall">Overall <span class="score-badge[^"]*">(\d+)', page)
    assert found, "no sample result on the home page"
    return int(found[1])


def test_the_home_page_explains_scoring_with_the_engines_own_score_of_a_sample(app, client):
    page = client.get("/").text
    assert "How scoring works" in page and "Browse" in page
    with app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == SAMPLE_SLUG)).one()
        asked = question_as_asked(question.title, question.prompt)
    # The shipped rubric, scored here by the engine itself: the page's number is not made up.
    report = score(load_rubric(question.rubric_id), SAMPLE_ANSWER, asked)
    assert overall_on(page) == report.overall
    for criterion in report.criteria:
        assert f'<th scope="row">{criterion.title}</th>' in page
        assert f'aria-label="{criterion.score} of {criterion.max}"' in page
    assert "First I would ask which product is down" in page  # the sample answer itself


def test_the_sample_is_worked_out_once_per_process(app, client):
    from app.practice import home

    client.get("/")
    cached = dict(home._samples)
    assert cached, "the sample was not kept"
    with app.app_context(), db.session() as session:
        assert home.sample_result(session) is next(iter(cached.values()))


def test_anonymous_visitors_share_a_cached_page_but_a_signed_in_one_is_never_cached(
    app, client, auth
):
    before = client.get("/").text
    total = int(re.search(r"Browse ([\d,]+) questions", before)[1])
    with app.app_context(), db.session() as session:
        session.add(
            Question(
                slug="fresh-question",
                title="A fresh question",
                prompt="Freshly added.",
                rubric_id="star",
                type="behavioral",
                difficulty="easy",
            )
        )
        session.commit()
    assert f"Browse {total} questions" in client.get("/").text  # from the cache
    auth.register_candidate()
    signed_in = client.get("/").text
    assert "Your practice" in signed_in and "Log out" in signed_in
    assert f"Browse all {total + 1} questions" in signed_in  # rendered now, never cached
    AuthActions(client).logout()
    anonymous = client.get("/").text
    assert "Your practice" not in anonymous and "Log in" in anonymous


def test_a_signed_in_candidate_sees_their_draft_recent_scores_and_a_suggestion(candidate):
    attempt = submit_to(candidate, OUTAGE, ANSWER)
    token = csrf_from(candidate.get("/questions/proudest-launch").text)
    saved = candidate.post(
        "/questions/proudest-launch/draft",
        data={"answer_text": "A launch I am proud of: the offline mode.", "csrf_token": token},
    )
    assert saved.status_code == 302, saved.text
    page = candidate.get("/").text
    draft = re.search(r'<section class="card continue-draft".*?</section>', page, re.S)
    assert draft, "no draft to continue"
    assert re.search(r'href="/questions/proudest-launch\?draft=\d+"', draft[0])
    assert "9 words, saved <time datetime=" in draft[0]
    recent = re.search(r'<section class="card recent-scores".*?</section>', page, re.S)[0]
    assert f'href="/attempts/{attempt}">Handle a worldwide outage</a>' in recent
    assert re.search(r'<time datetime="[^"]+" data-local>', recent)
    suggestion = re.search(r'<section class="card next-suggestion".*?</section>', page, re.S)
    assert suggestion and re.search(r'href="/questions/[a-z0-9-]+"', suggestion[0])
    assert "weakest criterion" in suggestion[0]


def test_a_new_candidate_gets_a_first_question_and_no_scores_yet(candidate):
    page = candidate.get("/").text
    assert "No scores yet" in page
    assert "A good first question" in page
    assert "continue-draft" not in page
