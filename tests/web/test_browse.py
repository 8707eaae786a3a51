"""Browsing the question bank: filters, full-text search, pages, retired questions and answer
templates, through the Flask test client on a real SQLite file."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, insert
from sqlmodel import func, select

from app.bank.service import sync_labels
from app.extensions import cache, db
from app.models import Attempt, Question, QuestionLabel, utcnow
from app.practice.home import SAMPLE_SLUG
from tests.conftest import count_rows, csrf_from

OUTAGE = "/questions/worldwide-outage"
ANSWER = (
    "First I would clarify the scope: which product, since when, and which platforms. We roll "
    "back the latest release to restore service, apologise on the status page with updates "
    "every 30 minutes, and afterwards run a blameless postmortem and add regression tests."
)


def add_question(app, slug: str, **values) -> None:
    """A question written as the bank and the editor write one: its labels in step."""
    values = {"title": slug.replace("-", " ").capitalize(), "prompt": "A prompt.", **values}
    with app.app_context(), db.session() as session:
        question = Question(slug=slug, rubric_id="star", **values)
        session.add(question)
        session.flush()
        sync_labels(session, question)
        session.commit()


def retire(app, slug: str) -> None:
    with app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == slug)).one()
        question.retired_at = utcnow()
        session.add(question)
        session.commit()


def titles(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/questions/[^"]+">([^<]+)</a></h2>', page)


@pytest.fixture
def labelled(app):
    """Four questions that differ in type, difficulty, company and tag."""
    for slug, kind, difficulty, company, tag in (
        ("zeta-one", "metrics", "easy", "Zetaco", "zeta-funnels"),
        ("zeta-two", "metrics", "hard", "Zetaco", "zeta-pricing"),
        ("zeta-three", "strategy", "hard", "Otherco", "zeta-funnels"),
        ("zeta-four", "strategy", "easy", "Zetaco", "zeta-funnels"),
    ):
        add_question(app, slug, type=kind, difficulty=difficulty, companies=[company], tags=[tag])
    return app


@pytest.fixture
def candidate(client, auth):
    auth.register_candidate()
    return client


def test_each_filter_narrows_the_list_alone(labelled, client):
    assert "Zeta two" in client.get("/questions?type=metrics").text
    assert "Zeta three" not in client.get("/questions?type=metrics").text
    hard = client.get("/questions?difficulty=hard").text
    assert "Zeta two" in hard and "Zeta one" not in hard
    otherco = titles(client.get("/questions?company=Otherco").text)
    assert otherco == ["Zeta three"]
    assert titles(client.get("/questions?tag=zeta-pricing").text) == ["Zeta two"]


def test_filters_combine(labelled, client):
    page = client.get(
        "/questions?type=strategy&difficulty=easy&company=Zetaco&tag=zeta-funnels"
    ).text
    assert titles(page) == ["Zeta four"] and "1 question" in page
    none = client.get("/questions?type=strategy&tag=zeta-pricing").text
    assert "No question matches" in none


def test_the_filter_form_offers_readable_types_and_the_labels_in_use(labelled, client):
    page = client.get("/questions").text
    assert '<option value="product-design" >Product design</option>' in page
    assert '<option value="Otherco" >Otherco</option>' in page
    assert '<option value="zeta-pricing" >zeta-pricing</option>' in page


def test_each_row_shows_the_question_as_asked(client):
    page = client.get("/questions?q=worldwide").text
    assert "Your product just caused a worldwide outage. How would you handle it?" in page


def test_search_finds_other_forms_of_a_word(client):
    assert "Handle a worldwide outage" in titles(client.get("/questions?q=outages").text)
    assert "Prioritising with half the team" in titles(client.get("/questions?q=prioritise").text)


def test_search_puts_the_most_relevant_question_first(app, client):
    add_question(app, "aardvark-mentions", title="Aardvark pricing", prompt="Once: outage.")
    found = titles(client.get("/questions?q=worldwide outage").text)
    assert found[0] == "Handle a worldwide outage"


def test_an_edited_question_is_found_by_its_new_words_only(app, client):
    add_question(app, "edited", title="Plan a migration", prompt="Move the warehouse.")
    assert titles(client.get("/questions?q=warehouse").text) == ["Plan a migration"]
    with app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == "edited")).one()
        question.prompt = "Move the datacentre."
        session.add(question)
        session.commit()
    assert "No question matches" in client.get("/questions?q=warehouse").text
    assert titles(client.get("/questions?q=datacentres").text) == ["Plan a migration"]


@pytest.mark.parametrize(
    "search",
    [
        '"',
        "*",
        "NEAR(",
        "-",
        "a:b",
        "outage*",
        '"outage',
        "title:outage",
        "(",
        ")",
        "^x",
        "NOT",
        "AND OR",
        "x" * 500,
        "outage " * 100,
        "é∑≈",
        "\\",
        "'; DROP TABLE questions; --",
    ],
)
def test_no_search_text_breaks_the_list(client, search):
    response = client.get("/questions", query_string={"q": search})
    assert response.status_code == 200
    assert client.get("/questions").status_code == 200  # and the table is still there


def test_syntax_words_are_searched_for_as_words(app, client):
    add_question(app, "near-miss", title="Near miss review", prompt="A near miss in the plant.")
    assert titles(client.get("/questions?q=NEAR(").text) == ["Near miss review"]
    assert "Handle a worldwide outage" in titles(client.get('/questions?q="outage').text)


def test_pages_follow_the_order_and_a_missing_page_says_how_many_there_are(app, client):
    app.config["QUESTIONS_PER_PAGE"] = 10
    pages = -(-count_rows(app, Question) // 10)
    listed = [titles(client.get(f"/questions?page={n}").text) for n in range(1, pages + 1)]
    assert all(len(page) == 10 for page in listed[:-1]) and 1 <= len(listed[-1]) <= 10
    everything = [title for page in listed for title in page]
    assert everything == sorted(everything) and len(set(everything)) == count_rows(app, Question)
    missing = client.get(f"/questions?page={pages + 4}")
    assert missing.status_code == 404
    assert f"Page {pages + 4} does not exist; there are {pages} pages." in missing.text
    assert f'href="/questions?page={pages}"' in missing.text
    filtered = client.get("/questions?type=situational&page=5")
    assert filtered.status_code == 404 and "there is 1 page" in filtered.text
    assert "type=situational" in re.search(r'href="(/questions\?[^"]+)">Go to', filtered.text)[1]


@pytest.mark.parametrize("page", ["abc", "", "-3", "0", "1.5x"])
def test_a_page_that_is_not_a_number_is_the_first(client, page):
    response = client.get("/questions", query_string={"page": page})
    assert response.status_code == 200 and "Page 1 of" in response.text


def test_the_list_reads_one_page_of_rows_however_many_questions_there_are(app, client):
    now = utcnow()
    with app.app_context(), db.session() as session:
        session.execute(
            insert(Question),
            [
                {
                    "slug": f"bulk-{i}",
                    "title": f"Bulk question {i:04d}",
                    "prompt": f"How would you grow product {i}? " + "Context. " * 40,
                    "rubric_id": "star",
                    "type": "metrics",
                    "difficulty": "medium",
                    "companies": [],
                    "tags": ["bulk"],
                    "hints": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1200)
            ],
        )
        ids = session.exec(select(Question.id).where(Question.slug.startswith("bulk-"))).all()
        session.execute(
            insert(QuestionLabel), [{"question_id": i, "kind": "tag", "value": "bulk"} for i in ids]
        )
        session.commit()
    statements: list[str] = []
    loaded: list[Question] = []

    def record(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    def count(question, context) -> None:
        loaded.append(question)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    event.listen(Question, "load", count)
    try:
        for path in ("/questions?page=30", "/questions?tag=bulk&page=2", "/questions?q=grow", "/"):
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(Question, "load", count)
    # Rows are read as the columns a line shows, never as whole questions: the one whole question
    # is the home page's sample result's.
    assert {question.slug for question in loaded} <= {SAMPLE_SLUG}
    # Rows shown are read a page at a time, or one by its slug. (PostgreSQL's full-text match
    # names the prompt in the expression its GIN index is built on: that is the index, not a
    # read of every row.)
    prompt_reads = [
        s
        for s in statements
        if "questions.prompt" in s and "FROM questions" in s and "to_tsvector" not in s
    ]
    assert prompt_reads and all("LIMIT" in s or "questions.slug = " in s for s in prompt_reads)
    assert f"{count_rows(app, Question):,} questions" in client.get("/questions").text


def test_retired_questions_leave_the_list_search_facets_and_home_page(app, client):
    add_question(app, "only-retiring", type="metrics", companies=["Gonecorp"], tags=["gone-tag"])
    home_before = client.get("/").text
    assert "Gonecorp" in client.get("/questions").text
    retire(app, "only-retiring")
    page = client.get("/questions").text
    assert "Gonecorp" not in page and "gone-tag" not in page
    assert "Only retiring" not in client.get("/questions?type=metrics&page=1").text
    assert "No question matches" in client.get("/questions?q=retiring").text
    total = int(re.search(r"Browse ([\d,]+) questions", home_before)[1])
    with app.app_context():
        cache.clear()  # the anonymous home page is cached for up to a minute
    assert f"Browse {total - 1} questions" in client.get("/").text


def test_a_retired_question_keeps_its_answers_and_takes_no_new_ones(app, candidate):
    token = csrf_from(candidate.get(OUTAGE).text)
    submitted = candidate.post(
        OUTAGE + "/submit",
        data={"answer_text": ANSWER, "time_spent_seconds": "60", "csrf_token": token},
    )
    result = submitted.headers["Location"]
    retire(app, "worldwide-outage")

    page = candidate.get(OUTAGE)
    assert page.status_code == 200
    assert "This question has been retired: you can read your past answers" in page.text
    assert 'name="answer_text"' not in page.text
    assert "Handle a worldwide outage" not in candidate.get("/questions?q=outage").text
    assert candidate.get(result).status_code == 200
    history = candidate.get(OUTAGE + "/attempts").text
    assert result in history and "has been retired" in history
    assert "Handle a worldwide outage" in candidate.get("/progress").text

    autosave = candidate.post(
        OUTAGE + "/draft",
        json={"draft_key": "late-tab", "version": 1, "answer_text": "More."},
        headers={"X-CSRFToken": token},
    )
    assert autosave.status_code == 409 and autosave.json["reason"] == "retired"
    assert "takes no new ones" in autosave.json["error"]
    form = {"answer_text": ANSWER + " Again.", "time_spent_seconds": "5", "csrf_token": token}
    for action in ("/submit", "/draft"):
        refused = candidate.post(OUTAGE + action, data=form)
        assert refused.status_code == 409 and "takes no new ones" in refused.text
    retry = candidate.post(result + "/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "takes no new ones" in retry.text
    with app.app_context(), db.session() as session:
        assert session.exec(select(func.count()).select_from(Attempt)).one() == 1


TEMPLATE = "Situation:\n\nWhat I did:\n\nResult:"


def test_the_answer_box_starts_with_the_template_until_there_is_a_draft(app, candidate):
    add_question(app, "templated", prompt="Tell me about a launch.", answer_template=TEMPLATE)
    page = candidate.get("/questions/templated").text
    assert "Situation:\n\nWhat I did:\n\nResult:</textarea>" in page
    assert 'data-template="Situation:' in page
    token = csrf_from(page)
    untouched = candidate.post(
        "/questions/templated/draft",
        json={"draft_key": "tpl-1", "version": 1, "answer_text": TEMPLATE.replace("\n", "\r\n")},
        headers={"X-CSRFToken": token},
    )
    assert untouched.status_code == 400 and "only the template" in untouched.json["error"]
    refused = candidate.post(
        "/questions/templated/submit",
        data={"answer_text": TEMPLATE + "\n", "time_spent_seconds": "3", "csrf_token": token},
    )
    assert refused.status_code == 400 and "still the template" in refused.text
    with app.app_context(), db.session() as session:
        assert session.exec(select(func.count()).select_from(Attempt)).one() == 0

    mine = TEMPLATE.replace("Result:", "Result: we shipped in six weeks.")
    saved = candidate.post(
        "/questions/templated/draft",
        json={"draft_key": "tpl-1", "version": 2, "answer_text": mine},
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 200
    assert "we shipped in six weeks.</textarea>" in candidate.get("/questions/templated").text
    back = candidate.post(
        "/questions/templated/draft",
        json={"draft_key": "tpl-1", "version": 3, "answer_text": TEMPLATE},
        headers={"X-CSRFToken": token},
    )
    assert back.status_code == 200 and back.json["attempt_id"] is None  # back to the template
    with app.app_context(), db.session() as session:
        assert session.exec(select(func.count()).select_from(Attempt)).one() == 0


def test_a_question_without_a_template_starts_empty(candidate):
    assert "\n</textarea>" in candidate.get(OUTAGE).text
    assert "data-template" not in candidate.get(OUTAGE).text
