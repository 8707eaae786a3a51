"""Compare: always the earlier answer against the later, never one with itself; a chooser when
nothing is named; the text aligned sentence by sentence, changes marked without colour alone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Attempt
from tests.conftest import AuthActions
from tests.web.test_practice import OUTAGE
from tests.web.test_progress import FAILURE, STORY, submit_to

FIRST = (
    "We would roll back the release at once. I would post on the status page every hour. "
    "Afterwards we hold a postmortem."
)
SECOND = (
    "We would roll back the release at once. I would post on the status page every 30 minutes "
    "and brief support. We would add a canary rollout to catch it next time. "
    "Afterwards we hold a postmortem."
)


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


@pytest.fixture
def two_answers(candidate) -> tuple[int, int]:
    return submit_to(candidate, OUTAGE, FIRST), submit_to(candidate, OUTAGE, SECOND)


def earlier_and_later(page: str) -> tuple[str, str]:
    found = re.search(
        r"Earlier: submitted <time datetime=\"([^\"]+)\".*?Later: submitted "
        r"<time datetime=\"([^\"]+)\"",
        page,
        re.S,
    )
    assert found, "no dates on the page"
    return found[1], found[2]


def without_csrf_tokens(page: str) -> str:
    """A page with its CSRF tokens blanked: a token carries the second it was signed, so two
    requests a second apart differ there and nowhere else."""
    return re.sub(r'(csrf[-_]token"[^>]*?(?:content|value)=")[^"]*', r"\1", page)


def test_the_earlier_answer_comes_first_whatever_the_query_says(app, candidate, two_answers):
    first, second = two_answers
    with app.app_context(), db.session() as session:  # a day apart, so the order shows
        row = session.get(Attempt, first)
        row.submitted_at = row.submitted_at - timedelta(days=1)
        session.add(row)
        session.commit()
    in_order = candidate.get(f"/attempts/compare?first={first}&second={second}")
    reversed_ = candidate.get(f"/attempts/compare?first={second}&second={first}")
    assert in_order.status_code == reversed_.status_code == 200
    assert without_csrf_tokens(in_order.text) == without_csrf_tokens(reversed_.text)
    earlier, later = earlier_and_later(in_order.text)
    assert earlier < later
    # The later answer's new sentence is "added", never "removed".
    assert re.search(r'<li class="sentence added">.*?canary rollout', in_order.text)
    assert not re.search(r'<li class="sentence removed">.*?canary rollout', in_order.text)


def test_the_text_is_aligned_by_sentence_with_changed_words_marked(candidate, two_answers):
    page = candidate.get(f"/attempts/compare?first={two_answers[0]}&second={two_answers[1]}").text
    rows = re.findall(r'<li class="sentence (\w+)">', page)
    assert rows == ["same", "changed", "added", "same"]
    changed = re.search(r'<li class="sentence changed">(.*?)</li>', page, re.S)[1]
    assert '<span class="label">Changed</span>' in changed
    # Words marked by element and by words a screen reader says, not by colour alone.
    assert '<del class="word"><span class="visually-hidden">removed: </span>hour.</del>' in changed
    assert '<ins class="word"><span class="visually-hidden">added: </span>30' in changed
    assert "I would post on the status page every" in changed  # kept words, unmarked
    assert '<span class="label">Added</span> <ins class="text">We would add a canary' in page


def test_an_attempt_compared_with_itself_is_refused_with_a_message(candidate, two_answers):
    response = candidate.get(f"/attempts/compare?first={two_answers[0]}&second={two_answers[0]}")
    assert response.status_code == 400
    assert "Choose two different attempts" in response.text
    assert 'name="question"' in response.text  # the chooser, to pick again


def test_answers_to_two_questions_are_not_compared(candidate, two_answers):
    story = submit_to(candidate, FAILURE, STORY)
    response = candidate.get(f"/attempts/compare?first={two_answers[0]}&second={story}")
    assert response.status_code == 400
    assert "These attempts answer different questions" in response.text


def test_without_parameters_the_chooser_offers_questions_with_two_answers(candidate, two_answers):
    submit_to(candidate, FAILURE, STORY)  # only one answer: not offered
    page = candidate.get("/attempts/compare")
    assert page.status_code == 200
    assert '<option value="worldwide-outage" >Handle a worldwide outage (2 answers)' in page.text
    assert "failure-did-not-go-as-planned" not in page.text
    assert 'name="first"' not in page.text  # answers come once a question is picked
    picked = candidate.get("/attempts/compare?question=worldwide-outage").text
    first, second = two_answers
    assert f'<option value="{first}" selected>#1' in picked
    assert f'<option value="{second}" selected>#2' in picked
    assert "Whichever order you pick them in, the earlier is shown first." in picked


def test_one_attempt_named_opens_the_chooser_with_it_picked(candidate, two_answers):
    first, second = two_answers
    page = candidate.get(f"/attempts/compare?first={second}")
    assert page.status_code == 200
    assert f'<option value="{first}" selected>' in page.text
    assert f'<option value="{second}" selected>' in page.text


def test_a_new_candidate_is_told_what_compare_needs(candidate):
    page = candidate.get("/attempts/compare").text
    assert "Compare needs two submitted answers to the same question" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("first=abc&second=1", "One attempt: Not a valid integer value."),
        ("question=" + "x" * 201, "Question: Field cannot be longer than 200 characters."),
    ],
)
def test_a_malformed_query_names_the_field(candidate, query, message):
    response = candidate.get(f"/attempts/compare?{query}")
    assert response.status_code == 400 and message in response.text


def test_another_candidates_attempts_are_404_on_compare_and_its_chooser(client, two_answers):
    first, second = two_answers
    AuthActions(client).logout()
    AuthActions(client).register("intruder@example.com")
    assert client.get(f"/attempts/compare?first={first}&second={second}").status_code == 404
    assert client.get(f"/attempts/compare?first={first}").status_code == 404
    assert "Handle a worldwide outage (2" not in client.get("/attempts/compare").text


def test_compare_needs_a_login(client):
    response = client.get("/attempts/compare")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
