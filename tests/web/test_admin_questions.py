"""Admins create, edit, retire and restore questions in the browser's forms (the test client)."""

from __future__ import annotations

import html
import re
from math import ceil

import pytest
from flask import Flask
from sqlmodel import select

from app.admin.question_form import form_data
from app.extensions import db
from app.models import Attempt, Question, QuestionLabel, Score
from tests.conftest import count_rows, csrf_from
from tests.web.test_practice import ANSWER, attempt_id, submit

NEW = {
    "title": "Design a parking app",
    "slug": "",
    "prompt": "Design an app that **finds** a parking space.",
    "rubric": "product-design",
    "type": "product-design",
    "difficulty": "medium",
    "companies": "Acme, Zipcar",
    "tags": "mobility, maps",
    "hints": "Who parks?\r\nWhere do they park?",
    "time_limit_minutes": "20",
    "model_answer": "",
    "answer_template": "",
}
EDITABLE = {name: value for name, value in NEW.items() if name != "slug"}


@pytest.fixture
def admin(client, auth):
    auth.register_with_role("admin@example.com", "admin")
    return client


def question_row(app: Flask, slug: str) -> Question | None:
    with app.app_context(), db.session() as session:
        return session.exec(select(Question).where(Question.slug == slug)).first()


def labels_of(app: Flask, question_id: int) -> set[tuple[str, str]]:
    with app.app_context(), db.session() as session:
        rows = session.exec(
            select(QuestionLabel).where(QuestionLabel.question_id == question_id)
        ).all()
        return {(row.kind, row.value) for row in rows}


def create(client, **changes: str):
    token = csrf_from(client.get("/admin/questions/new").text)
    return client.post("/admin/questions/new", data={**NEW, **changes, "csrf_token": token})


def loaded_revision(page_html: str) -> str:
    match = re.search(r'name="updated_at" type="hidden" value="([^"]*)"', page_html)
    assert match, "the editor carries no revision"
    return match.group(1)


def save(client, question_id: int, revision: str | None = None, **changes: str):
    page = client.get(f"/admin/questions/{question_id}/edit").text
    data = {
        **EDITABLE,
        **changes,
        "updated_at": loaded_revision(page) if revision is None else revision,
        "csrf_token": csrf_from(page),
    }
    return client.post(f"/admin/questions/{question_id}/edit", data=data)


def error_beside(page_html: str, field: str) -> str:
    """The message shown under a field (the form macro's help paragraph), as text."""
    match = re.search(rf'id="{field}-help">(.*?)</p>', page_html, re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", match.group(1))).strip() if match else ""


def outage_id(app: Flask) -> int:
    row = question_row(app, "worldwide-outage")
    assert row is not None
    return row.id


def button(client, url: str):
    return client.post(url, data={"csrf_token": csrf_from(client.get("/").text)})


# Who may do what


def admin_routes(question_id: int) -> list[tuple[str, str]]:
    base = f"/admin/questions/{question_id}"
    return [
        ("GET", "/admin/questions"),
        ("GET", "/admin/questions/new"),
        ("POST", "/admin/questions/new"),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("POST", f"{base}/retire"),
        ("POST", f"{base}/restore"),
        ("POST", "/admin/questions/preview"),
    ]


@pytest.mark.parametrize("role", ["candidate", "coach"])
def test_candidates_and_coaches_get_403_on_every_question_admin_route(app, client, auth, role):
    auth.register_with_role(f"{role}@example.com", role)
    token = csrf_from(client.get("/").text)
    for method, url in admin_routes(outage_id(app)):
        if method == "GET":
            response = client.get(url)
        else:  # with a valid CSRF token, so it is the role that is refused
            response = client.post(
                url,
                data={**NEW, "title": "Hijacked", "csrf_token": token},
                headers={"X-CSRFToken": token},
            )
        assert response.status_code == 403, (method, url)
    row = question_row(app, "worldwide-outage")
    assert row.title == "Handle a worldwide outage" and row.retired_at is None
    assert question_row(app, "design-a-parking-app") is None


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    token = csrf_from(client.get("/login").text)
    for method, url in admin_routes(outage_id(app)):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_a_missing_question_is_404(admin):
    assert admin.get("/admin/questions/999999/edit").status_code == 404
    assert button(admin, "/admin/questions/999999/retire").status_code == 404
    assert button(admin, "/admin/questions/999999/restore").status_code == 404
    token = csrf_from(admin.get("/").text)
    missing = admin.post(
        "/admin/questions/999999/edit", data={**EDITABLE, "updated_at": "", "csrf_token": token}
    )
    assert missing.status_code == 404


# The list


def test_the_list_searches_title_and_slug_filters_and_paginates(app, admin):
    total = count_rows(app, Question)
    everything = admin.get("/admin/questions").text
    assert 'href="/admin/questions/new"' in everything and f"{total} questions" in everything
    titles = [html.unescape(t) for t in re.findall(r'/edit">([^<]+)</a>', everything)]
    assert len(titles) == 20 and titles == sorted(titles)
    by_title = admin.get("/admin/questions?q=WORLDWIDE").text
    assert "Handle a worldwide outage" in by_title and "1 question<" in by_title
    by_slug = admin.get("/admin/questions?q=worldwide-out").text
    assert f'href="/admin/questions/{outage_id(app)}/edit"' in by_slug
    assert "No question matches." in admin.get("/admin/questions?q=100%25").text
    app.config["QUESTIONS_PER_PAGE"] = 5
    second = admin.get("/admin/questions?page=2").text
    assert f"Page 2 of {ceil(total / 5)}" in second and second.count('<tr id="question-') == 5
    assert html.unescape(re.findall(r'/edit">([^<]+)</a>', second)[0]) >= titles[4]


# Create


def test_an_admin_creates_a_question_candidates_can_open(app, admin, auth):
    response = create(admin)
    assert response.status_code == 302
    row = question_row(app, "design-a-parking-app")  # the slug, made from the title
    assert row is not None and response.headers["Location"] == f"/admin/questions/{row.id}/edit"
    assert row.hints == ["Who parks?", "Where do they park?"]
    assert row.companies == ["Acme", "Zipcar"] and row.time_limit_minutes == 20
    assert row.model_answer is None and row.retired_at is None
    assert labels_of(app, row.id) == {
        ("company", "Acme"),
        ("company", "Zipcar"),
        ("tag", "mobility"),
        ("tag", "maps"),
    }
    assert "Design a parking app" in admin.get("/admin/questions?q=parking").text

    auth.logout()
    auth.register("candidate@example.com")
    assert "Design a parking app" in admin.get("/questions?q=parking").text
    assert "Design a parking app" in admin.get("/questions?tag=maps").text
    page = admin.get("/questions/design-a-parking-app")
    assert page.status_code == 200
    assert "Design an app that <strong>finds</strong> a parking space." in page.text


def test_a_typed_slug_is_kept(app, admin):
    assert create(admin, slug="parking-v2").status_code == 302
    assert question_row(app, "parking-v2") is not None


# Edit


def test_an_edit_changes_the_fields_and_the_labels_follow(app, admin, auth):
    create(admin)
    before = question_row(app, "design-a-parking-app")
    response = save(
        admin,
        before.id,
        title="Design a parking app for cities",
        tags="mobility, ev-charging",
        companies="",
        difficulty="hard",
        time_limit_minutes="",
        model_answer="Start with **drivers**.",
    )
    assert response.status_code == 302
    after = question_row(app, "design-a-parking-app")
    assert after.title == "Design a parking app for cities" and after.difficulty == "hard"
    assert after.time_limit_minutes is None and after.model_answer == "Start with **drivers**."
    assert after.updated_at > before.updated_at
    assert labels_of(app, after.id) == {("tag", "mobility"), ("tag", "ev-charging")}
    listed = admin.get("/questions?tag=ev-charging").text
    assert "Design a parking app for cities" in listed
    assert "Design a parking app for cities" not in admin.get("/questions?tag=maps").text


def test_a_save_over_a_newer_version_is_refused(app, admin):
    create(admin)
    question_id = question_row(app, "design-a-parking-app").id
    opened = loaded_revision(admin.get(f"/admin/questions/{question_id}/edit").text)
    assert save(admin, question_id, title="Saved first, in another tab").status_code == 302
    late = save(admin, question_id, revision=opened, title="Saved second, over it")
    assert late.status_code == 409
    assert "changed by someone else since you opened it; reload" in late.text
    assert 'value="Saved second, over it"' in late.text  # what they typed is not lost
    assert question_row(app, "design-a-parking-app").title == "Saved first, in another tab"


# Problems are shown beside their fields


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "Required"),
        ("slug", "Bad Slug!", "Lowercase letters, digits and single hyphens"),
        ("slug", "worldwide-outage", "'worldwide-outage' is taken"),
        ("rubric", "no-such-rubric", "Unknown rubric 'no-such-rubric'"),
        ("rubric", "", "Required"),
        ("time_limit_minutes", "0", "At least 1"),
        ("time_limit_minutes", "soon", "A whole number"),
        ("tags", "fine, " + "x" * 41, "At most 40 characters"),
        ("type", "poetry", "Choose one of the listed values"),
    ],
)
def test_a_problem_is_shown_beside_its_field_and_nothing_is_saved(
    app, admin, field, value, message
):
    questions = count_rows(app, Question)
    response = create(admin, **{field: value})
    assert response.status_code == 422
    assert message in error_beside(response.text, field)
    assert "Not saved: fix the problems shown beside each field." in response.text
    assert count_rows(app, Question) == questions


def test_every_problem_is_shown_at_once_and_the_typed_text_kept(admin):
    response = create(admin, title="", prompt="", time_limit_minutes="0", slug="Nope")
    assert response.status_code == 422
    assert "Required" in error_beside(response.text, "title")
    assert "Required" in error_beside(response.text, "prompt")
    assert "Lowercase letters" in error_beside(response.text, "slug")
    assert "At least 1" in error_beside(response.text, "time_limit_minutes")
    assert 'value="Nope"' in response.text and 'value="Acme, Zipcar"' in response.text


def test_an_edit_with_a_problem_changes_nothing(app, admin):
    question_id = outage_id(app)
    response = save(admin, question_id, rubric="no-such-rubric", title="Changed")
    assert response.status_code == 422
    assert "Unknown rubric" in error_beside(response.text, "rubric")
    row = question_row(app, "worldwide-outage")
    assert row.title == "Handle a worldwide outage" and row.rubric_id == "incident-response"


# Retire and restore


def test_a_score_records_the_version_of_the_question_it_read(app, client, auth):
    """The scorer reads a question's title, prompt, hints and model answer, so editing any of
    them makes a new version of the question, and each score names the version it read: the
    score of record stays reproducible from what it was given. A new tag makes no version."""
    auth.register_candidate("candidate@example.com")
    before_edit = attempt_id(submit(client, ANSWER))
    auth.logout()
    auth.register_with_role("admin@example.com", "admin")
    question_id = outage_id(app)
    stored = form_data(question_row(app, "worldwide-outage"))
    fields = {**stored, "tags": stored["tags"] + ", reliability"}
    assert save(client, question_id, **fields).status_code == 302
    assert question_row(app, "worldwide-outage").version == 1
    longer = fields["model_answer"] + "\n\nLast, I would thank the on-call team by name."
    assert save(client, question_id, **{**fields, "model_answer": longer}).status_code == 302
    assert question_row(app, "worldwide-outage").version == 2
    auth.logout()
    auth.login("candidate@example.com")
    after_edit = attempt_id(submit(client, ANSWER))
    with app.app_context(), db.session() as session:
        versions = {
            score.attempt_id: score.question_version for score in session.exec(select(Score))
        }
    assert versions == {before_edit: 1, after_edit: 2}
    assert "question v2 ·" in client.get(f"/attempts/{after_edit}").text
    assert "question v1 ·" in client.get(f"/attempts/{before_edit}").text


def test_retire_and_restore_keep_attempts_and_scores(app, client, auth):
    auth.register_candidate("candidate@example.com")
    answered = attempt_id(submit(client, ANSWER))
    auth.logout()
    auth.register_with_role("admin@example.com", "admin")
    question_id = outage_id(app)

    retired = button(client, f"/admin/questions/{question_id}/retire")
    assert retired.status_code == 302
    assert question_row(app, "worldwide-outage").retired_at is not None
    assert "Retired" in client.get(f"/admin/questions/{question_id}/edit").text
    marked = client.get("/admin/questions?q=worldwide&status=retired").text
    assert "Handle a worldwide outage" in marked and 'Retired <time datetime="20' in marked
    assert "Handle a worldwide outage" not in client.get("/admin/questions?status=active").text
    assert "Handle a worldwide outage" in client.get("/admin/questions?q=worldwide").text
    assert "Handle a worldwide outage" not in client.get("/questions?q=worldwide").text
    with app.app_context(), db.session() as session:
        assert session.get(Attempt, answered) is not None
        assert session.exec(select(Score).where(Score.attempt_id == answered)).first()

    restored = button(client, f"/admin/questions/{question_id}/restore")
    assert restored.status_code == 302
    assert question_row(app, "worldwide-outage").retired_at is None
    assert "Handle a worldwide outage" in client.get("/admin/questions?status=active").text
    assert "Handle a worldwide outage" in client.get("/questions?q=worldwide").text


def test_retire_needs_the_csrf_token(app, admin):
    response = admin.post(f"/admin/questions/{outage_id(app)}/retire")
    assert response.status_code == 400
    assert question_row(app, "worldwide-outage").retired_at is None


# The Markdown preview


def test_the_preview_renders_markdown_and_strips_scripts(admin):
    token = csrf_from(admin.get("/admin/questions/new").text)
    text = "Hello **bold** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=y>"
    response = admin.post(
        "/admin/questions/preview", json={"text": text}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    rendered = response.json["html"]
    assert "<strong>bold</strong>" in rendered
    assert "<script" not in rendered and "javascript:" not in rendered
    assert "<img" not in rendered and "onerror" not in rendered


def test_the_preview_needs_the_csrf_token_and_text(admin):
    assert admin.post("/admin/questions/preview", json={"text": "x"}).status_code == 400
    token = csrf_from(admin.get("/").text)
    bad = admin.post("/admin/questions/preview", json={"txt": 1}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400


def test_the_editor_loads_with_its_previews_and_script(app, admin):
    page = admin.get(f"/admin/questions/{outage_id(app)}/edit").text
    assert 'id="prompt-preview"' in page and 'id="model-answer-preview"' in page
    assert "/static/js/question-form.js" in page and "<script>" not in page
    assert 'name="slug"' not in page  # a question's slug never changes


def test_a_retired_question_is_not_served_from_the_page_cache(app, admin):
    visitor = app.test_client()
    assert "retired" not in visitor.get("/questions/worldwide-outage").text  # now cached
    button(admin, f"/admin/questions/{outage_id(app)}/retire")
    assert "This question has been retired" in visitor.get("/questions/worldwide-outage").text
