"""Mock interviews through the Flask test client: starting (by filters or a loop), saving with
versions, resuming, moving on, finishing once, the report, and who may see what."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from app.extensions import db
from app.models import (
    Attempt,
    MockInterview,
    MockQuestion,
    MockStatus,
    Question,
    RubricVersion,
    Score,
    utcnow,
)
from app.practice.mock import load_loops
from tests.conftest import AuthActions, count_rows, csrf_from

# Plain answers that earn something on most rubrics, and leave room to improve.
ANSWERS = [
    "Last year I led the launch of a checkout redesign with four engineers. The deadline slipped "
    "by two weeks because the payment vendor changed its API. I met the vendor, cut two minor "
    "features and told leadership the new date. We shipped in April and conversion rose by 6%.",
    "I would start by asking who the users are and what goal we serve. Then I would list their "
    "main needs, pick the most painful one, sketch two solutions and measure success with weekly "
    "active users and retention after four weeks.",
    "First I would check whether the data is right, then split the drop by platform, country and "
    "new versus returning users, form hypotheses such as a release bug or a competitor launch, "
    "and test the likeliest one before acting.",
]


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


def token(client) -> str:
    return csrf_from(client.get("/mock/new").text)


def start(client, **fields):
    data = {"csrf_token": token(client), "mode": "filters", **fields}
    return client.post("/mock/new", data=data)


def started_id(response) -> int:
    assert response.status_code == 302, response.text
    return int(re.search(r"/mock/(\d+)$", response.headers["Location"]).group(1))


def autosave(client, mock_id: int, position: int, version: int, text: str, seconds=None):
    body = {"position": position, "version": version, "answer_text": text}
    if seconds is not None:
        body["seconds_used"] = seconds
    return client.post(f"/mock/{mock_id}/answer", json=body, headers={"X-CSRFToken": token(client)})


def post_form(client, mock_id: int, action: str, position: int, version: int, text: str, **more):
    data = {
        "csrf_token": token(client),
        "position": str(position),
        "version": str(version),
        "answer_text": text,
        **more,
    }
    return client.post(f"/mock/{mock_id}/{action}", data=data)


def rows_of(app, mock_id: int) -> list[tuple[MockQuestion, Question]]:
    with app.app_context(), db.session() as session:
        return list(
            session.exec(
                select(MockQuestion, Question)
                .join(Question, Question.id == MockQuestion.question_id)
                .where(MockQuestion.mock_id == mock_id)
                .order_by(MockQuestion.position)
            ).all()
        )


def mock_row(app, mock_id: int) -> MockInterview:
    with app.app_context(), db.session() as session:
        return session.get(MockInterview, mock_id)


def textarea(html: str) -> str:
    match = re.search(r"<textarea[^>]*name=\"answer_text\"[^>]*>\r?\n?(.*?)</textarea>", html, re.S)
    assert match, "no answer box on the page"
    return match.group(1)


# Starting ---------------------------------------------------------------------------------------


def test_start_by_filters_asks_matching_questions_one_at_a_time(candidate, app):
    mock_id = started_id(start(candidate, count="4", type="behavioral"))
    rows = rows_of(app, mock_id)
    assert [item.position for item, _ in rows] == [1, 2, 3, 4]
    assert {question.type for _, question in rows} == {"behavioral"}
    assert len({question.id for _, question in rows}) == 4
    assert [item.started_at is not None for item, _ in rows] == [True, False, False, False]
    for item, question in rows:  # the question's own limit, else ten minutes
        assert item.time_limit_seconds == (question.time_limit_minutes or 10) * 60
    page = candidate.get(f"/mock/{mock_id}").text
    assert "Question 1 of 4" in page and escape(rows[0][1].title) in page
    assert rows[1][1].title not in page  # one question at a time


def test_a_question_with_no_time_limit_gets_ten_minutes(candidate, app):
    with app.app_context(), db.session() as session:
        for question in session.exec(select(Question).where(Question.type == "estimation")):
            question.time_limit_minutes = None
            session.add(question)
        session.commit()
    mock_id = started_id(start(candidate, count="3", type="estimation"))
    assert {item.time_limit_seconds for item, _ in rows_of(app, mock_id)} == {600}
    assert "10:00 left of 10:00" in candidate.get(f"/mock/{mock_id}").text


def test_start_by_difficulty_and_company(candidate, app):
    mock_id = started_id(start(candidate, count="3", company="Google"))
    assert all("Google" in question.companies for _, question in rows_of(app, mock_id))
    mock_id = started_id(start(candidate, count="3", difficulty="hard", type="metrics"))
    questions = [question for _, question in rows_of(app, mock_id)]
    assert {(q.type, q.difficulty) for q in questions} == {("metrics", "hard")}


def test_start_a_loop_fills_each_slot_with_a_question_of_its_types(candidate, app):
    loop = load_loops()["meta-pm"]
    response = candidate.post(
        "/mock/new", data={"csrf_token": token(candidate), "mode": "loop", "loop": "meta-pm"}
    )
    mock_id = started_id(response)
    rows = rows_of(app, mock_id)
    assert len(rows) == len(loop.slots)
    for (_, question), slot in zip(rows, loop.slots, strict=True):
        assert question.type in slot.types
    mock = mock_row(app, mock_id)
    assert mock.loop == "meta-pm" and mock.title == loop.title
    # The product-design slot prefers Meta, and the shipped bank has a Meta design question.
    assert "Meta" in rows[0][1].companies


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": "2"}, "Choose between 3 and 6 questions."),
        ({"count": "7"}, "Choose between 3 and 6 questions."),
        ({"count": ""}, "Choose between 3 and 6 questions."),
        ({"count": "three"}, "Not a valid integer value."),
        ({"count": "3", "type": "poetry"}, "&#39;poetry&#39; is not a question type"),
        ({"count": "3", "difficulty": "brutal"}, "is not a difficulty: easy, medium or hard"),
        (
            {"count": "3", "type": "technical", "difficulty": "easy"},
            "There are no easy technical questions in the bank: widen the filters",
        ),
        (
            {"count": "3", "type": "situational"},
            "Only 2 of the situational questions are in the bank: ask for fewer",
        ),
        (
            {"count": "3", "company": "Nowhere Ltd"},
            "There are no questions asked at Nowhere Ltd in the bank",
        ),
        ({"mode": "loop", "loop": "no-such-loop"}, "Choose one of the loops listed."),
    ],
)
def test_bad_choices_are_refused_on_the_form_with_the_reason(candidate, app, fields, message):
    response = start(candidate, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert count_rows(app, MockInterview) == 0


# Saving, resuming, moving on --------------------------------------------------------------------


def test_an_autosave_lands_only_if_newer(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    first = autosave(candidate, mock_id, 1, 3, "the newer text", seconds=40)
    assert first.status_code == 200
    assert first.json == {"version": 3, "seconds_used": 40, "landed": True, "held": True}
    older = autosave(candidate, mock_id, 1, 2, "an older text that arrived late", seconds=30)
    assert older.status_code == 200
    assert older.json == {"version": 3, "seconds_used": 40, "landed": False, "held": False}
    again = autosave(candidate, mock_id, 1, 3, "the newer text", seconds=41)  # a lost reply
    assert again.json == {"version": 3, "seconds_used": 41, "landed": False, "held": True}
    item, _ = rows_of(app, mock_id)[0]
    assert (item.answer_text, item.version, item.seconds_used) == ("the newer text", 3, 41)


def test_a_malformed_autosave_is_a_400_naming_the_field(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    response = autosave(candidate, mock_id, 1, -1, "text")
    assert response.status_code == 400 and "version" in response.json["error"]
    response = candidate.post(
        f"/mock/{mock_id}/answer",
        json={"position": "first", "version": 1},
        headers={"X-CSRFToken": token(candidate)},
    )
    assert response.status_code == 400 and "position" in response.json["error"]
    too_long = autosave(candidate, mock_id, 1, 1, "x" * 50_001)
    assert too_long.status_code == 400 and "the limit is 50,000" in too_long.json["error"]
    assert rows_of(app, mock_id)[0][0].version == 0


def test_a_question_not_asked_yet_takes_no_answer(candidate):
    mock_id = started_id(start(candidate, count="3"))
    assert autosave(candidate, mock_id, 2, 1, "ahead of time").status_code == 404


def test_next_keeps_the_answer_and_time_and_asks_the_next_question(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    response = post_form(candidate, mock_id, "next", 1, 1, ANSWERS[0], seconds_used="95")
    assert response.status_code == 302 and response.headers["Location"] == f"/mock/{mock_id}"
    (first, _), (second, question), _ = rows_of(app, mock_id)
    assert (first.answer_text, first.seconds_used) == (ANSWERS[0], 95)
    assert second.started_at is not None
    page = candidate.get(f"/mock/{mock_id}").text
    assert "Question 2 of 3" in page and escape(question.title) in page


def test_next_pressed_twice_moves_on_once(candidate, app):
    mock_id = started_id(start(candidate, count="4"))
    post_form(candidate, mock_id, "next", 1, 1, ANSWERS[0])
    post_form(candidate, mock_id, "next", 1, 1, ANSWERS[0])  # the same form, sent again
    assert [item.started_at is not None for item, _ in rows_of(app, mock_id)] == [
        True,
        True,
        False,
        False,
    ]
    assert "Question 2 of 4" in candidate.get(f"/mock/{mock_id}").text


def test_resuming_returns_to_the_current_question_with_its_text_and_time_left(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    post_form(candidate, mock_id, "next", 1, 1, ANSWERS[0], seconds_used="60")
    autosave(candidate, mock_id, 2, 4, "Half of my second & <answer>", seconds=125)
    limit = rows_of(app, mock_id)[1][0].time_limit_seconds
    page = candidate.get(f"/mock/{mock_id}")  # the tab closed; the candidate comes back
    assert "Question 2 of 3" in page.text
    assert textarea(page.text) == "Half of my second &amp; &lt;answer&gt;"
    left = limit - 125
    assert f"{left // 60}:{left % 60:02d} left of {limit // 60}:00" in page.text
    assert 'data-version="4"' in page.text and 'data-seconds-used="125"' in page.text
    listing = candidate.get("/mock").text
    assert "In progress: question 2 of 3" in listing and f'href="/mock/{mock_id}"' in listing


def test_the_no_script_save_button_keeps_the_text_and_counts_time_by_the_server_clock(
    candidate, app
):
    mock_id = started_id(start(candidate, count="3"))
    with app.app_context(), db.session() as session:  # the question was asked 90 s ago
        item = session.exec(select(MockQuestion).where(MockQuestion.mock_id == mock_id)).first()
        item.started_at = utcnow() - timedelta(seconds=90)
        session.add(item)
        session.commit()
    page = candidate.get(f"/mock/{mock_id}").text
    version = int(re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1))
    response = post_form(candidate, mock_id, "answer", 1, version, "typed without JavaScript")
    assert response.status_code == 302
    item, _ = rows_of(app, mock_id)[0]
    assert item.answer_text == "typed without JavaScript"
    assert 90 <= item.seconds_used < 150
    assert "Answer saved." in candidate.get(f"/mock/{mock_id}").text


def test_a_bad_form_post_shows_the_page_again_with_the_text_kept(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    response = post_form(candidate, mock_id, "next", 1, "soon", "my words stay")
    assert response.status_code == 400
    assert "version" in response.text and textarea(response.text) == "my words stay"
    assert rows_of(app, mock_id)[1][0].started_at is None


# Finishing and the report -----------------------------------------------------------------------


def finish_three(client, app) -> int:
    """A three-question mock: two answered, the last left empty, then finished."""
    mock_id = started_id(start(client, count="3"))
    post_form(client, mock_id, "next", 1, 1, ANSWERS[0], seconds_used="45")
    post_form(client, mock_id, "next", 2, 1, ANSWERS[1], seconds_used="700")
    response = post_form(client, mock_id, "finish", 3, 1, "", seconds_used="5")
    assert response.headers["Location"] == f"/mock/{mock_id}/report"
    return mock_id


def test_finishing_submits_each_answer_once_as_a_scored_attempt(candidate, app):
    mock_id = finish_three(candidate, app)
    rows = rows_of(app, mock_id)
    assert [item.attempt_id is not None for item, _ in rows] == [True, True, False]
    assert mock_row(app, mock_id).status == MockStatus.FINISHED
    with app.app_context(), db.session() as session:
        for item, question in rows[:2]:
            attempt = session.get(Attempt, item.attempt_id)
            assert (attempt.question_id, attempt.answer_text) == (question.id, item.answer_text)
            assert attempt.time_spent_seconds == item.seconds_used
            assert session.exec(select(Score).where(Score.attempt_id == attempt.id)).one()
    # "Finish" sent again, and a late autosave: nothing more is submitted or changed.
    again = post_form(candidate, mock_id, "finish", 3, 2, "a late change")
    assert again.status_code == 302 and again.headers["Location"] == f"/mock/{mock_id}/report"
    late = autosave(candidate, mock_id, 3, 9, "a late change")
    assert late.status_code == 409 and late.json["report"] == f"/mock/{mock_id}/report"
    assert count_rows(app, Attempt) == 2 and count_rows(app, Score) == 2
    assert rows_of(app, mock_id)[2][0].answer_text == ""
    assert candidate.get(f"/mock/{mock_id}").headers["Location"] == f"/mock/{mock_id}/report"


def claim_finish(app, mock_id: int, ago: timedelta) -> None:
    """As another request does when it starts finishing the interview (`ago` before now)."""
    with app.app_context(), db.session() as session:
        mock = session.get(MockInterview, mock_id)
        mock.finished_at = utcnow() - ago
        session.add(mock)
        session.commit()


def test_while_another_request_finishes_nothing_changes_and_the_report_waits(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    post_form(candidate, mock_id, "next", 1, 1, ANSWERS[0])
    claim_finish(app, mock_id, timedelta(seconds=1))  # a first click on "Finish", mid-way
    again = post_form(candidate, mock_id, "finish", 2, 1, ANSWERS[1])  # the second click
    assert again.status_code == 302 and again.headers["Location"] == f"/mock/{mock_id}/report"
    report = candidate.get(f"/mock/{mock_id}/report")
    assert report.status_code == 200 and "Scoring your answers…" in report.text
    assert '<meta http-equiv="refresh" content="1">' in report.text
    assert autosave(candidate, mock_id, 2, 5, "typed too late").status_code == 409
    assert candidate.get(f"/mock/{mock_id}").headers["Location"] == f"/mock/{mock_id}/report"
    assert "Being scored" in candidate.get("/mock").text
    assert count_rows(app, Attempt) == 0
    assert rows_of(app, mock_id)[1][0].answer_text == ""


def test_a_finish_left_behind_by_a_request_that_died_is_taken_over(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    post_form(candidate, mock_id, "next", 1, 1, ANSWERS[0])
    claim_finish(app, mock_id, timedelta(minutes=3))
    response = post_form(candidate, mock_id, "finish", 2, 1, ANSWERS[1])
    assert response.headers["Location"] == f"/mock/{mock_id}/report"
    # The report page, which waits for the scores, finds nobody scoring them, and does it.
    report = candidate.get(f"/mock/{mock_id}/report")
    assert report.status_code == 200 and "Scoring your answers" not in report.text
    assert mock_row(app, mock_id).status == MockStatus.FINISHED
    assert [item.attempt_id is not None for item, _ in rows_of(app, mock_id)] == [
        True,
        False,  # the text posted with the second click came after the end, so it is not kept
        False,
    ]
    assert count_rows(app, Attempt) == 1
    assert "Each answer" in candidate.get(f"/mock/{mock_id}/report").text


def test_ending_early_scores_what_was_answered(candidate, app):
    mock_id = started_id(start(candidate, count="5"))
    post_form(candidate, mock_id, "finish", 1, 1, ANSWERS[2])
    rows = rows_of(app, mock_id)
    assert [item.attempt_id is not None for item, _ in rows] == [True] + [False] * 4
    report = candidate.get(f"/mock/{mock_id}/report").text
    assert report.count("Not reached: the interview ended before this question.") == 4


def test_a_question_retired_meanwhile_is_skipped_with_a_note(candidate, app):
    mock_id = started_id(start(candidate, count="3"))
    kept = ANSWERS[0] + " <script>alert(1)</script>"
    post_form(candidate, mock_id, "next", 1, 1, kept)
    retired = rows_of(app, mock_id)[0][1]
    with app.app_context(), db.session() as session:
        question = session.get(Question, retired.id)
        question.retired_at = utcnow()
        session.add(question)
        session.commit()
    post_form(candidate, mock_id, "finish", 2, 1, ANSWERS[1])
    rows = rows_of(app, mock_id)
    assert rows[0][0].attempt_id is None and rows[1][0].attempt_id is not None
    report = candidate.get(f"/mock/{mock_id}/report").text
    assert "this question was retired during the interview" in report
    assert ANSWERS[0] + " &lt;script&gt;alert(1)&lt;/script&gt;" in report  # kept, inert
    assert "<script>alert" not in report


def test_the_report_shows_scores_weakest_criteria_time_and_what_to_practise(candidate, app):
    mock_id = finish_three(candidate, app)
    rows = rows_of(app, mock_id)
    levels: dict[tuple[str, str], list[float]] = defaultdict(list)
    titles = {}
    with app.app_context(), db.session() as session:
        scores = []
        for item, _ in rows[:2]:
            stored = session.exec(select(Score).where(Score.attempt_id == item.attempt_id)).one()
            rubric = session.get(RubricVersion, stored.rubric_version_id).rubric_id
            scores.append(stored.overall)
            for c in stored.criteria:
                levels[(rubric, c["id"])].append(4 * c["score"] / c["max"])
                titles[(rubric, c["id"])] = c["title"]
    page = candidate.get(f"/mock/{mock_id}/report")
    assert page.status_code == 200
    html = page.text
    for (item, question), overall in zip(rows, scores, strict=False):
        link = f'href="/attempts/{item.attempt_id}" aria-label="Score {overall} of 100'
        assert link in html and escape(question.title) in html  # a title may hold an apostrophe
    assert "Not answered." in html
    assert f"0:45 of {rows[0][0].time_limit_seconds // 60}:00" in html
    limit = rows[1][0].time_limit_seconds
    over = " (over time)" if limit < 700 else ""
    assert f"11:40 of {limit // 60}:00{over}" in html
    assert "Average score: " in html and f">{round(sum(scores) / 2)}<small>" in html
    # The weakest criterion across the two answers heads the table, with its average.
    weakest_key = min(levels, key=lambda k: sum(levels[k]) / len(levels[k]))
    average = sum(levels[weakest_key]) / len(levels[weakest_key])
    weakest_section = html.split('id="weakest-heading"')[1].split("</table>")[0]
    first_row = weakest_section.split("<tbody>")[1].split("</tr>")[0]
    assert f"{average:.1f} of 4" in first_row
    assert min(sum(v) / len(v) for v in levels.values()) == pytest.approx(average)
    # Practise next: questions from outside this interview, with the criterion they work on.
    practise = html.split('id="next-heading"')[1].split("</section>")[0]
    slugs = re.findall(r'href="/questions/([\w-]+)"', practise)
    assert slugs and not {q.slug for _, q in rows} & set(slugs)
    assert "Works on “" in practise
    listing = candidate.get("/mock").text
    assert f'href="/mock/{mock_id}/report"' in listing and "Finished" in listing


def test_practise_next_offers_three_different_questions_from_outside_the_interview(candidate, app):
    # The failure story is the only question its rubric scores, and its criteria recur in the
    # STAR rubric: the weakest ones lead back to it, or to the same STAR question, yet the
    # suggestions are three different questions, none of them this interview's, even when the
    # interview holds the very questions it would otherwise suggest first.
    def report_suggestions(other_slugs: list[str] | None) -> list[str]:
        mock_id = started_id(start(candidate, count="3"))
        slugs = ["failure-did-not-go-as-planned", *(other_slugs or [])]
        with app.app_context(), db.session() as session:
            for position, slug in enumerate(slugs, 1):
                question = session.exec(select(Question).where(Question.slug == slug)).one()
                item = session.exec(
                    select(MockQuestion).where(
                        MockQuestion.mock_id == mock_id, MockQuestion.position == position
                    )
                ).one()
                item.question_id = question.id
                session.add(item)
            session.commit()
        post_form(candidate, mock_id, "finish", 1, 1, ANSWERS[0])
        html = candidate.get(f"/mock/{mock_id}/report").text
        weakest = html.split('id="weakest-heading"')[1].split("</table>")[0]
        assert weakest.count("<td>failure-story</td>") == 3
        practise = html.split('id="next-heading"')[1].split("</section>")[0]
        assert practise.count("Works on “") == 3
        suggested = re.findall(r'href="/questions/([\w-]+)"', practise)
        assert len(suggested) == len(set(suggested)) == 3
        assert not set(suggested) & set(slugs)
        return suggested

    first = report_suggestions(None)
    report_suggestions(first[:2])


def test_the_report_waits_for_the_end(candidate):
    mock_id = started_id(start(candidate, count="3"))
    response = candidate.get(f"/mock/{mock_id}/report")
    assert response.status_code == 302 and response.headers["Location"] == f"/mock/{mock_id}"


# Who may see what -------------------------------------------------------------------------------


def test_only_the_owner_sees_or_acts_on_a_mock(client, app):
    owner = AuthActions(client)
    owner.register_candidate("owner@example.com")
    mock_id = started_id(start(client, count="3"))
    owner.logout()
    for path in (f"/mock/{mock_id}", f"/mock/{mock_id}/report", "/mock", "/mock/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    owner.register("other@example.com")
    assert client.get(f"/mock/{mock_id}").status_code == 404
    assert client.get(f"/mock/{mock_id}/report").status_code == 404
    assert autosave(client, mock_id, 1, 5, "not mine").status_code == 404
    for action in ("answer", "next", "finish"):
        assert post_form(client, mock_id, action, 1, 5, "not mine").status_code == 404
    assert "owner@example.com" not in client.get("/mock").text
    assert f"/mock/{mock_id}" not in client.get("/mock").text
    item, _ = rows_of(app, mock_id)[0]
    assert item.answer_text == "" and mock_row(app, mock_id).status == MockStatus.IN_PROGRESS


def test_the_header_links_to_mock_interviews_once_logged_in(client, auth):
    assert 'href="/mock"' not in client.get("/").text
    auth.register_candidate()
    assert '<a href="/mock">Mock interviews</a>' in client.get("/").text
