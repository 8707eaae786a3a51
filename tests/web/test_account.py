"""A user's own account: export everything as JSON or CSV, change the password, and delete the
account with everything in it while other people's data stays whole."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import or_
from sqlmodel import SQLModel, func, select

from app.auth.services import (
    ATTEMPT_ROWS,
    AUTHOR_COLUMNS,
    OWN_ROWS,
    issue_password_reset,
    register_user,
)
from app.extensions import db
from app.models import (
    Attempt,
    AuditEntry,
    BankImport,
    Feedback,
    FollowUp,
    MockInterview,
    MockQuestion,
    Question,
    Rescore,
    Rescoring,
    Role,
    RubricSample,
    Score,
    Transcription,
    User,
)
from app.practice.services import save_draft, submit_attempt
from app.review.services import (
    add_comment,
    create_share_link,
    override_level,
    share_with_coach,
)
from tests.conftest import AuthActions, count_rows, csrf_from
from tests.web.test_auth import error_beside
from tests.web.test_practice import ANSWER

PASSWORD = "correct horse battery"
SLUG = "worldwide-outage"


@dataclass
class People:
    admin: int
    leaver: int  # a coach who practises too: the account that is exported and deleted
    other: int
    leaver_attempts: list[int]
    other_attempt: int


def fill(app: Flask) -> People:
    """Two coaches who each practise and review the other, with every kind of row."""
    with app.app_context(), db.session() as session:
        admin = register_user(session, "admin@example.com", PASSWORD).id
        leaver = register_user(session, "leaver@example.com", PASSWORD, role=Role.COACH).id
        other = register_user(session, "other@example.com", PASSWORD, role=Role.COACH).id

        mine = submit_attempt(session, leaver, SLUG, "=HYPERLINK(1) " + ANSWER, 90)
        draft = save_draft(session, leaver, "failure-did-not-go-as-planned", "+draft", 30).id
        score = session.exec(select(Score).where(Score.attempt_id == mine)).one()
        criterion = score.criteria[0]["id"]
        share_with_coach(session, leaver, mine, "other@example.com")
        create_share_link(session, leaver, mine)
        add_comment(session, other, mine, "Say who you told first.")
        override_level(session, other, mine, criterion, 3, "Clear enough for me")
        session.add(
            Feedback(
                attempt_id=mine,
                cache_key="k" * 64,
                status="ok",
                model="stand-in",
                content={"summary": "A calm answer."},
            )
        )
        session.add(
            Rescore(
                attempt_id=mine,
                rubric_version_id=score.rubric_version_id,
                engine_version="later",
                overall=42,
                criteria=[],
                flags=[],
            )
        )

        question = session.exec(select(Question).where(Question.slug == SLUG)).one()
        session.add(
            FollowUp(
                attempt_id=mine,
                criterion_id=criterion,
                question="And who did you tell first?",
                level_before=1,
                answer_text="The support leads, then a status page post.",
                level_after=2,
            )
        )
        session.add(
            Transcription(
                user_id=leaver,
                question_id=question.id,
                attempt_id=mine,
                status="done",
                transcript="We rolled the release back.",
                delivery={"words_per_minute": 128},
            )
        )
        mock = MockInterview(user_id=leaver, title="Three questions")
        session.add(mock)
        session.flush()
        session.add(
            MockQuestion(
                mock_id=mock.id,
                position=1,
                question_id=question.id,
                time_limit_seconds=600,
                answer_text="=HYPERLINK(1) " + ANSWER,
                seconds_used=90,
                attempt_id=mine,
            )
        )

        theirs = submit_attempt(session, other, SLUG, ANSWER, 60)
        share_with_coach(session, other, theirs, "leaver@example.com")
        add_comment(session, leaver, theirs, "From the leaver, as a coach.")
        override_level(session, leaver, theirs, criterion, 1, "Too short")

        session.add(RubricSample(rubric_id="star", text="A sample", level=3, created_by=leaver))
        session.add(Rescoring(rubric_version_id=score.rubric_version_id, created_by=leaver))
        question.rubric_assigned_by = leaver
        session.add(BankImport(user_id=leaver, format="yaml"))
        session.add(AuditEntry(actor_id=leaver, action="bank.import", target="questions.yaml"))
        session.commit()
        issue_password_reset(session, leaver, admin, 24)  # a link for them
        issue_password_reset(session, other, leaver, 24)  # a link they made
    return People(admin, leaver, other, [mine, draft], theirs)


def log_in(app: Flask, email: str = "leaver@example.com"):
    client = app.test_client()
    assert AuthActions(client).login(email).status_code == 302
    return client


def test_the_account_page_needs_a_login_and_is_linked_from_the_nav(app, client, auth):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.register_candidate()
    assert 'href="/account">My account</a>' in client.get("/").text
    assert "Delete my account" in client.get("/account").text


def test_the_json_export_holds_everything_about_my_attempts_and_nothing_else(app):
    people = fill(app)
    response = log_in(app).get("/account/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.text)

    assert data["account"]["email"] == "leaver@example.com"
    assert [a["id"] for a in data["attempts"]] == people.leaver_attempts
    submitted, draft = data["attempts"]
    assert submitted["question"]["slug"] == SLUG and submitted["status"] == "submitted"
    assert submitted["answer_text"].startswith("=HYPERLINK(1) ")
    assert submitted["score"]["rubric"]["id"] and submitted["score"]["rubric"]["version"] >= 1
    assert submitted["score"]["criteria"][0]["id"] and "overall" in submitted["score"]
    assert submitted["rescores"][0]["overall"] == 42
    assert submitted["ai_feedback"][0]["content"] == {"summary": "A calm answer."}
    assert submitted["coach_comments"] == [
        {
            "coach": "other@example.com",
            "start": None,
            "end": None,
            "body": "Say who you told first.",
            "created_at": submitted["coach_comments"][0]["created_at"],
        }
    ]
    assert submitted["level_overrides"][0]["reason"] == "Clear enough for me"
    assert sorted((s["kind"], s["coach"]) for s in submitted["shares"]) == [
        ("coach", "other@example.com"),
        ("link", None),
    ]
    assert submitted["follow_ups"][0]["level_after"] == 2
    assert submitted["recordings"] == [
        {
            "transcript": "We rolled the release back.",
            "delivery": {"words_per_minute": 128},
            "audio_kept": False,
            "created_at": submitted["recordings"][0]["created_at"],
        }
    ]
    (mock,) = data["mock_interviews"]
    assert mock["title"] == "Three questions" and mock["questions"][0]["question"] == SLUG
    assert mock["questions"][0]["attempt_id"] == people.leaver_attempts[0]
    assert draft["status"] == "draft" and draft["score"] is None
    assert "From the leaver" not in response.text  # a comment on someone else's attempt
    assert "token" not in response.text and "password" not in response.text


def test_the_csv_export_has_one_row_per_attempt_and_defuses_formulas(app):
    fill(app)
    response = log_in(app).get("/account/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    submitted, draft = rows
    assert submitted["question_slug"] == SLUG and submitted["status"] == "submitted"
    assert submitted["answer_text"].startswith("'=HYPERLINK(1) ")
    assert int(submitted["overall_score"]) >= 0 and submitted["rubric_version"].isdigit()
    assert submitted["rubric_id"] and submitted["submitted_at"]
    assert draft["answer_text"] == "'+draft" and draft["overall_score"] == ""


def test_a_user_changes_their_password_with_the_current_one(app, client, auth):
    auth.register_candidate("me@example.com")
    token = csrf_from(client.get("/account").text)

    def change(current: str, new: str):
        return client.post(
            "/account/password",
            data={
                "pw-current": current,
                "pw-password": new,
                "pw-confirm": new,
                "pw-csrf_token": token,
            },
        )

    wrong = change("not my password", "a new long password")
    assert wrong.status_code == 200 and "not your current password" in wrong.text
    short = change(PASSWORD, "short")
    assert "at least 10 characters" in short.text.lower()
    for weak, reason in (("1234567890", "common password"), ("me@example.com", "Add another")):
        refused = change(PASSWORD, weak)
        assert refused.status_code == 200 and reason in error_beside(refused.text, "pw-password")
    assert change(PASSWORD, "a new long password").status_code == 302
    auth.logout()
    assert auth.login("me@example.com").status_code == 200
    assert auth.login("me@example.com", "a new long password").status_code == 302


def delete_through_the_page(client, email: str, password: str = PASSWORD):
    token = csrf_from(client.get("/account").text)
    return client.post(
        "/account/delete",
        data={"del-email": email, "del-password": password, "del-csrf_token": token},
    )


def rows_naming(app: Flask, user_id: int, attempt_ids: list[int]) -> dict[str, int]:
    """Per table, the rows that point at the user or at one of their attempts."""
    counts = {}
    with app.app_context(), db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            conditions = []
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if target == "users":
                    conditions.append(fk.parent == user_id)
                elif target == "attempts":
                    conditions.append(fk.parent.in_(attempt_ids))
            if table.name == "users":
                conditions.append(table.c.id == user_id)
            if conditions:
                counts[table.name] = session.exec(
                    select(func.count()).select_from(table).where(or_(*conditions))
                ).one()
    return counts


def delete_the_leaver(app: Flask) -> People:
    """The whole deletion story, on any database: refused without the right confirmation, then
    everything of theirs goes, in every table, and everyone else's stays."""
    people = fill(app)
    mine = people.leaver_attempts
    assert all(rows_naming(app, people.leaver, mine).values())  # a row in every such table
    kept = (Attempt, Score, RubricSample, Question, AuditEntry)
    before = {model: count_rows(app, model) for model in kept}
    client = log_in(app)

    wrong_email = delete_through_the_page(client, "other@example.com")
    assert wrong_email.status_code == 200 and "Type your account" in wrong_email.text
    wrong_password = delete_through_the_page(client, "leaver@example.com", "not my password")
    assert "not your current password" in wrong_password.text
    assert rows_naming(app, people.leaver, mine)["users"] == 1

    done = delete_through_the_page(client, " Leaver@Example.com ")
    assert done.status_code == 302
    assert rows_naming(app, people.leaver, mine) == dict.fromkeys(
        rows_naming(app, people.leaver, mine), 0
    )
    after = client.get("/account")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    refused = AuthActions(client).login("leaver@example.com")
    assert "do not match an account" in refused.text

    # Everyone else's data is whole; rows that only named them as author are kept.
    assert count_rows(app, Attempt) == before[Attempt] - 2
    assert count_rows(app, Score) == before[Score] - 1
    assert count_rows(app, RubricSample) == before[RubricSample]
    assert count_rows(app, Question) == before[Question]
    assert count_rows(app, AuditEntry) == before[AuditEntry]
    with app.app_context(), db.session() as session:
        theirs = session.get(Attempt, people.other_attempt)
        assert theirs is not None and theirs.answer_text == ANSWER
        assert session.exec(select(Score).where(Score.attempt_id == theirs.id)).one()
        assert session.get(User, people.other) is not None
    other = log_in(app, "other@example.com")
    assert other.get(f"/attempts/{people.other_attempt}").status_code == 200
    return people


def test_deleting_my_account_removes_everything_of_mine_and_nothing_else(app):
    delete_the_leaver(app)


def test_the_last_admin_cannot_delete_themself(app, client, auth):
    auth.register("boss@example.com")
    refused = delete_through_the_page(client, "boss@example.com")
    assert refused.status_code == 200 and "last active admin" in refused.text
    assert count_rows(app, User) == 1
    assert client.get("/account").status_code == 200  # still logged in


def test_deletion_handles_every_column_that_points_at_a_user_or_an_attempt():
    """A table added later with a user or attempt foreign key must be added to the deletion."""
    handled = {(c.class_.__tablename__, c.key) for c in (*OWN_ROWS, *AUTHOR_COLUMNS)}
    handled |= {(model.__tablename__, "attempt_id") for model in ATTEMPT_ROWS}
    handled |= {("attempts", "user_id")}
    # Deleted by their owner instead: a mock's questions with the mock, a recording by user_id
    # (it can only name its owner's own attempt).
    handled |= {("mock_questions", "attempt_id"), ("transcriptions", "attempt_id")}
    pointing = {
        (table.name, fk.parent.name)
        for table in SQLModel.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name in ("users", "attempts")
    }
    assert pointing <= handled, pointing - handled
