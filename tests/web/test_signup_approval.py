"""Sign-up without mail (the default, SIGNUP_APPROVAL): a new account waits for an admin, and
signing up or logging in tells a visitor nothing about which addresses have accounts."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlmodel import select

from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import AuthActions, csrf_from, make_app

PASSWORD = "correct horse battery"


@pytest.fixture
def approving_app(tmp_path, seeded_database):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    return make_app(tmp_path, SIGNUP_APPROVAL=True)


def account(app, email: str) -> User | None:
    with app.app_context(), db.session() as session:
        return session.exec(select(User).where(User.email == email)).first()


def page_without(text: str, *variable: str) -> str:
    """The page with its CSRF tokens and the given strings taken out."""
    text = re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]+"', "csrf", text)
    for value in variable:
        text = text.replace(value, "ADDRESS")
    return text


def sign_up(app, email: str, password: str = PASSWORD):
    return AuthActions(app.test_client()).register(email, password)


def test_the_first_account_is_the_admin_and_is_signed_straight_in(approving_app):
    first = sign_up(approving_app, "owner@example.com")
    assert first.status_code == 302
    owner = account(approving_app, "owner@example.com")
    assert owner is not None and owner.role == "admin" and not owner.awaiting_approval


def test_a_taken_address_and_a_new_one_get_the_same_page(approving_app):
    sign_up(approving_app, "owner@example.com")
    new = sign_up(approving_app, "new@example.com", "a different long password")
    taken = sign_up(approving_app, "owner@example.com", "a different long password")

    assert new.status_code == taken.status_code == 200
    assert "Waiting for approval" in new.text
    assert page_without(new.text, "new@example.com") == page_without(
        taken.text, "owner@example.com"
    )
    waiting = account(approving_app, "new@example.com")
    assert waiting is not None and waiting.awaiting_approval and waiting.role == "candidate"
    # The owner's account is untouched: their own password still logs them in.
    assert AuthActions(approving_app.test_client()).login("owner@example.com").status_code == 302


def test_an_account_awaiting_approval_cannot_log_in_and_looks_like_a_wrong_password(
    approving_app,
):
    sign_up(approving_app, "owner@example.com")
    sign_up(approving_app, "new@example.com")

    waiting = AuthActions(approving_app.test_client()).login("new@example.com")
    wrong = AuthActions(approving_app.test_client()).login("owner@example.com", "not it at all")
    assert waiting.status_code == wrong.status_code == 200
    assert "once an admin approves it" in waiting.text
    assert page_without(waiting.text, "new@example.com") == page_without(
        wrong.text, "owner@example.com"
    )


def test_an_admin_approves_a_sign_up_and_it_can_log_in(approving_app):
    admin = approving_app.test_client()
    AuthActions(admin).register("owner@example.com")
    sign_up(approving_app, "new@example.com")
    waiting = account(approving_app, "new@example.com")
    assert waiting is not None

    users_page = admin.get("/admin/users").text
    assert "Waiting for approval" in users_page and "Approve new@example.com" in users_page
    approve = f"/admin/users/{waiting.id}/approve"
    assert admin.post(approve).status_code == 400  # no CSRF token: nothing changes
    assert account(approving_app, "new@example.com").awaiting_approval
    done = admin.post(approve, data={"csrf_token": csrf_from(users_page)})
    assert done.status_code == 302

    assert not account(approving_app, "new@example.com").awaiting_approval
    assert "Waiting for approval" not in admin.get("/admin/users").text
    assert AuthActions(approving_app.test_client()).login("new@example.com").status_code == 302
    with approving_app.app_context(), db.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.approve")).one()
    assert entry.target == "new@example.com"


def test_only_an_admin_can_approve(approving_app):
    sign_up(approving_app, "owner@example.com")
    sign_up(approving_app, "new@example.com")
    waiting = account(approving_app, "new@example.com")
    assert waiting is not None
    stranger = approving_app.test_client()
    token = csrf_from(stranger.get("/login").text)
    refused = stranger.post(f"/admin/users/{waiting.id}/approve", data={"csrf_token": token})
    assert refused.status_code in (302, 401, 403)
    assert account(approving_app, "new@example.com").awaiting_approval


def test_with_approval_off_a_new_account_is_signed_straight_in(app):
    assert app.config["SIGNUP_APPROVAL"] is False
    sign_up(app, "owner@example.com")
    assert sign_up(app, "second@example.com").status_code == 302
    assert not account(app, "second@example.com").awaiting_approval
