"""Public pages through the Flask test client, on a real SQLite file."""

from __future__ import annotations

from sqlmodel import select

from app.bank.service import count_questions
from app.extensions import db, forget_question_pages
from app.models import Question
from tests.web.test_sessions import REMEMBER, logged_in, signed_up, with_cookies


def test_home_page_invites_the_candidate_to_browse(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Practise product-manager interviews" in page.text
    assert 'href="/questions"' in page.text


def test_question_list_shows_the_shipped_bank(app, client):
    with app.app_context(), db.session() as session:
        total = count_questions(session)
    page = client.get("/questions")
    assert page.status_code == 200
    assert f"{total} questions" in page.text
    assert page.text.count('<li>\n    <h2><a href="/questions/') == app.config["QUESTIONS_PER_PAGE"]
    assert "Handle a worldwide outage" in client.get("/questions?type=situational").text


def test_question_list_filters_by_type_and_searches_text(client):
    behavioral = client.get("/questions?type=behavioral").text
    assert "When things did not go as planned" in behavioral
    assert "Handle a worldwide outage" not in behavioral
    found = client.get("/questions?q=worldwide").text
    assert "Handle a worldwide outage" in found and "1 question" in found
    assert "No question matches" in client.get("/questions?q=zzzz-nothing").text


def test_question_list_paginates(app, client):
    app.config["QUESTIONS_PER_PAGE"] = 10
    first = client.get("/questions").text
    assert "Page 1 of" in first and "Next" in first
    assert "Page 2 of" in client.get("/questions?page=2").text


def test_question_page_renders_the_prompt_and_hints(client):
    page = client.get("/questions/worldwide-outage")
    assert page.status_code == 200
    assert "Your product just caused a worldwide outage" in page.text
    assert "Salesforce" in page.text and "Show hints" in page.text


def test_markdown_in_a_prompt_is_sanitised(app, client):
    with app.app_context(), db.session() as session:
        session.add(
            Question(
                slug="xss",
                title="Hostile",
                prompt="**Bold** <script>alert(1)</script> [x](javascript:alert(2))",
                rubric_id="star",
            )
        )
        session.commit()
    page = client.get("/questions/xss").text
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and "javascript:" not in page


def test_unknown_question_is_a_friendly_404(client):
    page = client.get("/questions/no-such-question")
    assert page.status_code == 404
    assert "Not found" in page.text and "Traceback" not in page.text


def test_an_empty_database_gets_a_page_that_says_to_run_init(empty_app, caplog):
    client = empty_app.test_client()
    for path in ("/questions", "/questions/worldwide-outage"):
        page = client.get(path)
        assert page.status_code == 503
        assert "The database is empty: run coach init on the server" in page.text
        assert "Traceback" not in page.text
    assert "run `coach init`" in caplog.text

    assert empty_app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    assert client.get("/questions/worldwide-outage").status_code == 200


def test_no_page_is_kept_in_the_browsers_cache(client, auth):
    """Back after submitting (or after logging out) must fetch the page again, never show the
    answer form or private text as it was; files the pages use are cached as usual."""
    assert client.get("/questions/worldwide-outage").headers["Cache-Control"] == "no-store"
    auth.register("cached@example.com")
    assert client.get("/questions/worldwide-outage").headers["Cache-Control"] == "no-store"
    assert client.get("/progress").headers["Cache-Control"] == "no-store"
    style = client.get("/static/css/app.css")
    assert "no-store" not in style.headers.get("Cache-Control", "")


def _retitle(app, slug: str, title: str) -> None:
    """Change a question behind the page cache's back (no `forget_question_pages`)."""
    with app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == slug)).one()
        question.title = title
        session.commit()


def test_anonymous_visitors_share_one_cached_page_until_it_is_forgotten(app, client):
    assert "Handle a worldwide outage" in client.get("/questions/worldwide-outage").text
    _retitle(app, "worldwide-outage", "Retitled behind the cache")

    assert "Handle a worldwide outage" in client.get("/questions/worldwide-outage").text
    assert "Handle a worldwide outage" in app.test_client().get("/questions/worldwide-outage").text
    # A query string is the same page to an anonymous visitor: no key per parameter.
    assert "Handle a worldwide outage" in client.get("/questions/worldwide-outage?draft=3").text

    with app.app_context():
        forget_question_pages(["worldwide-outage"])
    assert "Retitled behind the cache" in client.get("/questions/worldwide-outage").text


def test_a_signed_in_visitor_never_gets_the_cached_page_even_by_remember_cookie_alone(app, client):
    signed_up(app)
    owner = logged_in(app, remember=True)
    returning = with_cookies(app, owner, REMEMBER)  # a new browser session: no session cookie
    client.get("/questions/worldwide-outage")  # cached now
    _retitle(app, "worldwide-outage", "Retitled behind the cache")

    page = returning.get("/questions/worldwide-outage").text
    assert "Retitled behind the cache" in page and 'name="answer_text"' in page
    assert "Retitled behind the cache" in owner.get("/questions/worldwide-outage").text
    # A cookie that opens no account is an anonymous visitor's: the shared page.
    forged = app.test_client()
    forged.set_cookie(REMEMBER, "not-a-valid-token")
    assert "Handle a worldwide outage" in forged.get("/questions/worldwide-outage").text
