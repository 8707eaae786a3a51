"""The progress view: per rubric and per question, each criterion's trend, charts drawn with
straight segments, the streak and the weekly goal, and an empty state for a new candidate."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.extensions import db
from app.models import Attempt, Score, User
from tests.conftest import csrf_from
from tests.web.test_practice import ANSWER, OUTAGE

FAILURE = "/questions/failure-did-not-go-as-planned"
FAILURE_TITLE = "did not go as planned"
STORY = (
    "Last year I led the launch of a billing page that missed its date by three weeks. I had "
    "promised the date before engineering had estimated the work, so the team worked late. "
    "I learned to ask for estimates first, and since then I plan launches with a buffer; the "
    "next two shipped on time."
)


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


def submit_to(client, question: str, text: str) -> int:
    token = csrf_from(client.get(question).text)
    response = client.post(
        question + "/submit",
        data={"answer_text": text, "time_spent_seconds": "60", "csrf_token": token},
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def chart(page: str, canvas_id: str) -> dict:
    found = re.search(rf"<canvas id=\"{canvas_id}\" data-chart='([^']*)'", page)
    assert found, f"no {canvas_id} on the page"
    return json.loads(html.unescape(found[1]))


def scores(app, attempt_ids: list[int]) -> dict[int, Score]:
    with app.app_context(), db.session() as session:
        return {
            s.attempt_id: s
            for s in session.exec(select(Score).where(Score.attempt_id.in_(attempt_ids)))
        }


def goals_set(app) -> list[int]:
    with app.app_context(), db.session() as session:
        return list(session.exec(select(User.weekly_goal).where(User.weekly_goal.is_not(None))))


def test_a_new_candidate_sees_how_to_start_instead_of_an_empty_chart(candidate):
    page = candidate.get("/progress")
    assert page.status_code == 200
    assert "Nothing to chart yet" in page.text and "Pick a question" in page.text
    assert "progress-chart" not in page.text and "chart.umd.min.js" not in page.text
    assert re.search(r'start with <a href="/questions/[a-z0-9-]+">', page.text)  # a first question
    assert "0</strong> days in a row" in page.text


def test_every_rubric_is_its_own_line_drawn_with_straight_segments(app, candidate):
    outage = [submit_to(candidate, OUTAGE, t) for t in ("We rolled back and said sorry.", ANSWER)]
    story = submit_to(candidate, FAILURE, STORY)
    page = candidate.get("/progress").text
    config = chart(page, "progress-chart")
    by_label = {d["label"]: d for d in config["data"]["datasets"]}
    assert set(by_label) == {"incident-response (overall)", "failure-story (overall)"}
    stored = scores(app, [*outage, story])
    # One point per answer, oldest first: each line has its own rubric's scores and a gap (null)
    # where an answer to another rubric falls, so no line mixes two rubrics.
    assert by_label["incident-response (overall)"]["data"] == [
        stored[outage[0]].overall,
        stored[outage[1]].overall,
        None,
    ]
    assert by_label["failure-story (overall)"]["data"] == [None, None, stored[story].overall]
    assert len(config["data"]["labels"]) == 3
    for dataset in config["data"]["datasets"]:
        assert dataset["tension"] == 0 and dataset["stepped"] is False
        assert dataset["cubicInterpolationMode"] == "default" and dataset["fill"] is False
    options = config["options"]
    assert options["elements"]["line"]["tension"] == 0
    assert (options["scales"]["y"]["min"], options["scales"]["y"]["max"]) == (0, 100)
    # Told apart by dash as well as colour.
    dashes = [d["borderDash"] for d in config["data"]["datasets"]]
    assert dashes[0] != dashes[1]
    assert "criteria-chart" not in page  # the criteria trend needs one rubric or question


def test_one_question_shows_each_criterion_over_its_answers(app, candidate):
    first = submit_to(candidate, OUTAGE, "We rolled back the release and said sorry.")
    second = submit_to(candidate, OUTAGE, ANSWER)
    submit_to(candidate, FAILURE, STORY)  # another question: not in this view
    page = candidate.get("/progress?show=question:worldwide-outage").text
    assert 'value="question:worldwide-outage" selected' in page
    assert 'href="/attempts/compare?question=worldwide-outage"' in page
    overall = chart(page, "progress-chart")
    stored = scores(app, [first, second])
    assert [d["data"] for d in overall["data"]["datasets"]] == [
        [stored[first].overall, stored[second].overall]
    ]
    trends = chart(page, "criteria-chart")
    assert trends["options"]["scales"]["y"]["max"] == 4
    levels = {d["label"]: d["data"] for d in trends["data"]["datasets"]}
    for criterion in stored[first].criteria:
        later = next(c for c in stored[second].criteria if c["id"] == criterion["id"])
        assert levels[criterion["title"]] == [criterion["score"], later["score"]]
        change = later["score"] - criterion["score"]
        row = re.search(
            rf"<th scope=\"row\">{re.escape(html.escape(criterion['title']))}</th>"
            rf"<td data-label=\"First\">(\d)/4</td><td data-label=\"Latest\">(\d)/4</td>\s*"
            rf"<td data-label=\"Change\" class=\"\w+\">([+-]\d)",
            page,
        )
        assert row, criterion["title"]
        assert (int(row[1]), int(row[2]), int(row[3])) == (
            criterion["score"],
            later["score"],
            change,
        )
    assert "Average of 4" in page and "Handle a worldwide outage" in page
    charted = page.split('id="over-time"')[1].split('id="by-criterion"')[0]
    assert "Handle a worldwide outage" in charted and FAILURE_TITLE not in charted


def test_one_rubric_shows_only_its_answers(candidate):
    submit_to(candidate, OUTAGE, ANSWER)
    submit_to(candidate, FAILURE, STORY)
    page = candidate.get("/progress?show=rubric:failure-story").text
    config = chart(page, "progress-chart")
    assert [d["label"] for d in config["data"]["datasets"]] == ["Overall score"]
    assert len(config["data"]["labels"]) == 1
    assert "criteria-chart" in page


@pytest.mark.parametrize(
    "show", ["rubric:no-such-rubric", "question:worldwide-outage", "sideways", "rubric:"]
)
def test_a_scope_without_answers_is_refused_with_a_message(candidate, show):
    submit_to(candidate, FAILURE, STORY)  # nothing under incident-response or the outage
    response = candidate.get(f"/progress?show={show}")
    assert response.status_code == 400
    assert "Choose a rubric or a question from the list" in response.text
    assert 'id="progress-chart"' in response.text  # and every rubric is shown instead


def test_the_weekly_goal_is_set_with_a_form_and_counts_this_weeks_answers(app, candidate):
    submit_to(candidate, OUTAGE, ANSWER)
    page = candidate.get("/progress").text
    assert "1</strong> answer this week" in page
    response = candidate.post("/progress/goal", data={"goal": "3", "csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("#this-week")
    page = candidate.get("/progress").text
    assert "Weekly goal set: 3 answers a week." in page
    assert "<strong>1 of 3</strong> this week" in page
    assert goals_set(app) == [3]


@pytest.mark.parametrize(
    "goal, message",
    [
        ("0", "A weekly goal is from 1 to 50 answers."),
        ("51", "A weekly goal is from 1 to 50 answers."),
        ("many", "Not a valid integer value."),
        ("", "Enter how many answers a week you aim for, from 1 to 50."),
    ],
)
def test_a_goal_out_of_range_is_refused_by_its_field(app, candidate, goal, message):
    token = csrf_from(candidate.get("/progress").text)
    response = candidate.post("/progress/goal", data={"goal": goal, "csrf_token": token})
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">.*?</div>', response.text, re.S)
    assert field and "Answers a week" in field[0] and message in field[0]
    assert goals_set(app) == []


def test_a_goal_without_its_csrf_token_is_refused(candidate):
    assert candidate.post("/progress/goal", data={"goal": "4"}).status_code == 400


def test_the_goal_form_needs_a_login(client):
    response = client.post("/progress/goal", data={"goal": "4"})
    assert response.status_code in (302, 400)
    assert client.get("/progress").headers["Location"].startswith("/login")


def test_the_streak_counts_days_in_a_row_in_the_candidates_time_zone(app, candidate):
    yesterday = submit_to(candidate, OUTAGE, "We rolled back and said sorry.")
    submit_to(candidate, OUTAGE, ANSWER)
    with app.app_context(), db.session() as session:
        row = session.get(Attempt, yesterday)
        row.submitted_at = row.submitted_at - timedelta(days=1)
        session.add(row)
        session.commit()
    page = candidate.get("/progress").text
    assert "<strong>2</strong> days in a row" in page and "You have practised today." in page
    assert "Days are in your time zone (UTC)" in page
    candidate.set_cookie("tz", "Asia/Kolkata")
    assert "Days are in your time zone (Asia/Kolkata)" in candidate.get("/progress").text
    candidate.set_cookie("tz", "../../etc/passwd")
    assert "Days are in your time zone (UTC)" in candidate.get("/progress").text


def test_dates_on_the_progress_page_are_in_the_one_format(candidate):
    submit_to(candidate, OUTAGE, ANSWER)
    page = candidate.get("/progress").text
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" data-local>\d{1,2} [A-Z][a-z]{2} '
        r"\d{4}, \d\d:\d\d UTC</time>",
        page,
    )
    assert "local-time.js" in page
