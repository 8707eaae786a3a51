"""Logging out ends a session for good, on the server: every copy of its cookie and every
remember-me cookie made before stop working. "Log out everywhere", a password change and a
password reset end the account's other sessions too."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.auth.services import issue_password_reset, register_user
from app.extensions import db
from tests.conftest import csrf_from
from tests.web.test_users import set_password_with

PASSWORD = "correct horse battery"
EMAIL = "cand@example.com"
REMEMBER = "remember_token"


def signed_up(app: Flask) -> tuple[int, int]:
    """An admin and the candidate whose sessions the tests follow: their ids."""
    with app.app_context(), db.session() as session:
        admin = register_user(session, "admin@example.com", PASSWORD)
        candidate = register_user(session, EMAIL, PASSWORD)
        return admin.id, candidate.id


def logged_in(app: Flask, remember: bool = False) -> FlaskClient:
    """A browser of its own, logged in to the candidate's account."""
    client = app.test_client()
    token = csrf_from(client.get("/login").text)
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data={**form, **({"remember": "y"} if remember else {})})
    assert response.status_code == 302
    return client


def with_cookies(app: Flask, source: FlaskClient, *names: str) -> FlaskClient:
    """Another browser holding copies of `source`'s cookies, as a thief would."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        thief.set_cookie(name, cookie.value, domain=cookie.domain)
    return thief


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def post_from_account(client: FlaskClient, path: str, data: dict[str, str]):
    token = csrf_from(client.get("/account").text)
    prefix = {"/account/sessions": "out", "/account/password": "pw"}[path]
    return client.post(path, data={f"{prefix}-csrf_token": token, **data})


def log_out(client: FlaskClient) -> None:
    token = csrf_from(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_copied_session_cookie_stops_working_when_its_owner_logs_out(app):
    signed_up(app)
    owner = logged_in(app)
    thief = with_cookies(app, owner, "session")
    assert is_signed_in(thief)  # the copy works, like the original, until...
    log_out(owner)
    assert not is_signed_in(thief)
    assert not is_signed_in(owner)


def test_a_remember_me_cookie_stops_working_after_logout(app):
    signed_up(app)
    owner = logged_in(app, remember=True)
    before = with_cookies(app, owner, REMEMBER)
    assert is_signed_in(before)  # the cookie alone opens the account
    log_out(owner)
    assert owner.get_cookie(REMEMBER) is None  # removed from this browser...
    assert not is_signed_in(with_cookies(app, before, REMEMBER))  # ...and refused elsewhere
    assert not is_signed_in(before)  # the session it had opened has ended too


def test_each_login_makes_a_new_remember_me_cookie(app):
    signed_up(app)
    first = logged_in(app, remember=True)
    stolen = with_cookies(app, first, REMEMBER)
    log_out(first)
    second = logged_in(app, remember=True)
    assert second.get_cookie(REMEMBER).value != stolen.get_cookie(REMEMBER).value
    assert is_signed_in(with_cookies(app, second, REMEMBER))
    assert not is_signed_in(stolen)


def test_log_out_everywhere_ends_every_other_session_but_this_one(app):
    signed_up(app)
    here = logged_in(app, remember=True)
    laptop = logged_in(app)
    phone = logged_in(app, remember=True)
    stolen = with_cookies(app, phone, REMEMBER)

    done = post_from_account(here, "/account/sessions", {})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert "logged out on every other device" in here.get("/account").text
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(stolen)
    # This browser stays in, and its remember-me cookie was renewed, not lost.
    assert is_signed_in(here)
    assert is_signed_in(with_cookies(app, here, REMEMBER))


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app):
    signed_up(app)
    here = logged_in(app)
    elsewhere = logged_in(app, remember=True)
    stolen = with_cookies(app, elsewhere, REMEMBER)
    new = "a calmer harbour at dusk"
    changed = post_from_account(
        here, "/account/password", {"pw-current": PASSWORD, "pw-password": new, "pw-confirm": new}
    )
    assert changed.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(stolen)


def test_a_password_reset_ends_every_session_of_the_account(app):
    admin, candidate = signed_up(app)
    laptop = logged_in(app)
    phone = logged_in(app, remember=True)
    stolen = with_cookies(app, phone, REMEMBER)
    with app.app_context(), db.session() as session:
        issued = issue_password_reset(session, candidate, issued_by=admin, hours=1)
    visitor = app.test_client()
    done = set_password_with(visitor, f"/reset/{issued.token}", "a calmer harbour at dusk")
    assert done.status_code == 302
    assert not any(is_signed_in(client) for client in (laptop, phone, stolen))


def test_logging_out_of_one_account_leaves_other_accounts_signed_in(app):
    signed_up(app)
    mine = logged_in(app)
    admin = app.test_client()
    token = csrf_from(admin.get("/login").text)
    form = {"email": "admin@example.com", "password": PASSWORD, "csrf_token": token}
    assert admin.post("/login", data=form).status_code == 302
    log_out(mine)
    assert is_signed_in(admin)
