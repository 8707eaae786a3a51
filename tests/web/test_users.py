"""Admins manage accounts: search, roles, deactivation, reset links (by e-mail too), the last
admin who always remains, sign-up races, sign-up by e-mail and the `coach user` commands."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import func, select

from app.auth.services import (
    EmailTaken,
    LastAdmin,
    deactivate_user,
    find_user,
    issue_password_reset,
    register_user,
    set_role,
)
from app.extensions import db
from app.models import Attempt, PasswordReset, Role, UsedSignupLink, User, utcnow
from app.practice.services import save_draft
from tests.conftest import AuthActions, count_rows, csrf_from, make_app
from tests.web.test_auth import error_beside, user

PASSWORD = "correct horse battery"


def post(client, path: str, data: dict | None = None):
    """Post a form as the browser would, with the CSRF token of the page the client is on."""
    token = csrf_from(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **(data or {})})


def admin_and_candidate(app, auth: AuthActions) -> tuple[User, User]:
    """The first account (admin, logged in at the end) and a candidate. (Made directly: with
    mail configured, sign-up goes through an e-mailed link.)"""
    with app.app_context(), db.session() as session:
        register_user(session, "boss@example.com", PASSWORD)
        register_user(session, "cand@example.com", PASSWORD)
    assert auth.login("boss@example.com").status_code == 302
    return user(app, "boss@example.com"), user(app, "cand@example.com")


def admins(app) -> int:
    with app.app_context(), db.session() as session:
        return session.exec(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.deactivated_at.is_(None))
        ).one()


# --- Who may use the pages ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["candidate", "coach"])
def test_candidates_and_coaches_get_403_on_every_users_route(app, client, auth, role):
    auth.register_with_role(f"{role}@example.com", role)
    target = user(app, "admin-first@example.com").id
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{target}").status_code == 403
    for action in ("role", "deactivate", "reactivate", "reset"):
        response = post(client, f"/admin/users/{target}/{action}", {f"u{target}-role": "coach"})
        assert response.status_code == 403, action
    assert user(app, "admin-first@example.com").role == "admin"
    assert count_rows(app, PasswordReset) == 0


def test_anonymous_visitors_are_sent_to_log_in(app, client, auth):
    auth.register("boss@example.com")
    auth.logout()
    for path in ("/admin/users", "/admin/users/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = csrf_from(client.get("/login").text)
    response = client.post("/admin/users/1/deactivate", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert user(app, "boss@example.com").deactivated_at is None


# --- The list -------------------------------------------------------------------------------


def test_the_list_searches_by_email_pages_and_counts_attempts(tmp_path, seeded_database):
    import shutil

    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, USERS_PER_PAGE=2)
    client = app.test_client()
    AuthActions(client).register("boss@example.com")
    with app.app_context(), db.session() as session:
        for name in ("ann", "bob", "annette"):
            register_user(session, f"{name}@example.org", PASSWORD)
        ann = session.exec(select(User).where(User.email == "ann@example.org")).one()
        save_draft(session, ann.id, "worldwide-outage", "First thoughts", 30)
        save_draft(session, ann.id, "failure-did-not-go-as-planned", "Other thoughts", 30)

    found = client.get("/admin/users?q=ANN").text
    assert "2 accounts" in found
    assert "ann@example.org" in found and "annette@example.org" in found
    assert "bob@example.org" not in found
    assert re.search(
        r"ann@example\.org</a></td>\s*<td><time datetime=\"[\dT:Z-]+\" data-local>[^<]+</time></td>"
        r"\s*<td>active</td>\s*<td>2</td>",
        found,
    )

    first = client.get("/admin/users").text
    assert "4 accounts" in first and "Page 1 of 2" in first
    assert "boss@example.com" in first and "bob@example.org" not in first
    second = client.get("/admin/users?page=2").text
    assert "bob@example.org" in second and "boss@example.com" not in second
    assert "no account matches" in client.get("/admin/users?q=%25").text.lower()


# --- Roles, deactivation --------------------------------------------------------------------


def test_an_admin_changes_a_role_on_the_account_page(app, client, auth):
    _, cand = admin_and_candidate(app, auth)
    page = client.get(f"/admin/users/{cand.id}")
    assert page.status_code == 200 and "cand@example.com" in page.text
    done = post(client, f"/admin/users/{cand.id}/role", {f"u{cand.id}-role": "coach"})
    assert done.status_code == 302
    assert user(app, "cand@example.com").role == "coach"
    assert "cand@example.com is now coach" in client.get("/admin/users").text


def test_an_unknown_account_is_404(app, client, auth):
    admin_and_candidate(app, auth)
    assert client.get("/admin/users/999").status_code == 404
    assert post(client, "/admin/users/999/deactivate").status_code == 404
    assert post(client, "/admin/users/999/reset").status_code == 404


def test_a_deactivated_user_is_logged_out_and_cannot_log_in_until_reactivated(app, auth):
    _, cand = admin_and_candidate(app, auth)
    candidate = app.test_client()
    AuthActions(candidate).login("cand@example.com")
    with app.app_context(), db.session() as session:
        save_draft(session, cand.id, "worldwide-outage", "My draft", 30)
    assert candidate.get("/progress").status_code == 200

    admin = auth.client
    assert post(admin, f"/admin/users/{cand.id}/deactivate").status_code == 302
    assert "deactivated" in admin.get(f"/admin/users/{cand.id}").text

    logged_out = candidate.get("/progress")
    assert logged_out.status_code == 302 and "/login" in logged_out.headers["Location"]
    refused = AuthActions(candidate).login("cand@example.com")
    assert refused.status_code == 200 and "has been deactivated" in refused.text
    wrong = AuthActions(candidate).login("cand@example.com", "not the password")
    assert "deactivated" not in wrong.text  # only the right password learns of it
    assert count_rows(app, Attempt) == 1  # their data stays

    assert post(admin, f"/admin/users/{cand.id}/reactivate").status_code == 302
    assert user(app, "cand@example.com").deactivated_at is None
    assert candidate.get("/progress").status_code == 302  # the old session stays ended
    assert AuthActions(candidate).login("cand@example.com").status_code == 302
    assert candidate.get("/progress").status_code == 200


def test_an_admin_cannot_demote_or_deactivate_themself(app, client, auth):
    boss, _ = admin_and_candidate(app, auth)
    demoted = post(client, f"/admin/users/{boss.id}/role", {f"u{boss.id}-role": "candidate"})
    assert demoted.status_code == 302
    assert "cannot remove the admin role from your own" in client.get("/admin/users").text
    post(client, f"/admin/users/{boss.id}/deactivate")
    assert "cannot deactivate your own account" in client.get(f"/admin/users/{boss.id}").text
    assert admins(app) == 1


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app, auth):
    boss, _ = admin_and_candidate(app, auth)
    with app.app_context(), db.session() as session:
        with pytest.raises(LastAdmin, match="last active admin"):
            set_role(session, boss.id, Role.COACH)
        with pytest.raises(LastAdmin):
            deactivate_user(session, boss.id)
        # A second admin who is deactivated does not count.
        second = register_user(session, "second@example.com", PASSWORD, role=Role.ADMIN)
        deactivate_user(session, second.id)
        with pytest.raises(LastAdmin):
            set_role(session, boss.id, Role.CANDIDATE)
    assert admins(app) == 1 and user(app, "boss@example.com").role == "admin"


# --- Races ----------------------------------------------------------------------------------


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads released together by a barrier; each one's result or the
    exception it raised."""
    start = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        start.wait()
        try:
            outcomes[index] = action()
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def in_session(function: Callable[..., object], *args: object) -> Callable[[], object]:
    def action() -> object:
        with db.session() as session:
            return function(session, *args)

    return action


LAST_ADMIN_RACES = {
    "demote each other": (
        lambda a, b: in_session(set_role, b, Role.CANDIDATE, a),
        lambda a, b: in_session(set_role, a, Role.COACH, b),
    ),
    "deactivate each other": (
        lambda a, b: in_session(deactivate_user, b, a),
        lambda a, b: in_session(deactivate_user, a, b),
    ),
    "one demotes, one deactivates": (
        lambda a, b: in_session(set_role, b, Role.CANDIDATE, a),
        lambda a, b: in_session(deactivate_user, a, b),
    ),
}


def two_admins_race(app, rounds: int = 5) -> None:
    """Two admins act on each other at the same moment, several times over: every round one of
    them is refused, and an active admin always remains."""
    with app.app_context():
        with db.session() as session:
            a = register_user(session, "a@example.com", PASSWORD, role=Role.ADMIN).id
            b = register_user(session, "b@example.com", PASSWORD, role=Role.ADMIN).id
        for first, second in [LAST_ADMIN_RACES[name] for name in LAST_ADMIN_RACES] * rounds:
            outcomes = race(first(a, b), second(a, b))
            refused = [o for o in outcomes if isinstance(o, LastAdmin)]
            assert len(refused) == 1, outcomes
            assert sum(isinstance(o, User) for o in outcomes) == 1, outcomes
            assert admins(app) == 1
            with db.session() as session:  # both admins again for the next round
                for user_id in (a, b):
                    session.execute(
                        update(User)
                        .where(User.id == user_id)
                        .values(role=Role.ADMIN, deactivated_at=None)
                    )
                session.commit()


def test_two_admins_removing_each_other_at_once_leave_one_admin(app):
    two_admins_race(app)


def signup_race_same_email(app) -> None:
    """Two browsers sign up with one email at the same moment: one account, no 500."""
    clients = [app.test_client() for _ in range(2)]
    tokens = [csrf_from(c.get("/register").text) for c in clients]
    form = {"email": "twin@example.com", "password": PASSWORD, "confirm": PASSWORD}
    responses = race(
        *(
            lambda c=c, t=t: c.post("/register", data={**form, "csrf_token": t})
            for c, t in zip(clients, tokens, strict=True)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 302], responses
    refused = next(r for r in responses if r.status_code == 200)
    assert "An account with this email already exists" in refused.text
    with app.app_context(), db.session() as session:
        twins = session.exec(select(User).where(User.email == "twin@example.com")).all()
    assert len(twins) == 1


def first_signups_race(app, rounds: int = 5) -> None:
    """Two first accounts made at the same moment: exactly one becomes admin."""
    with app.app_context():
        for round_ in range(rounds):
            emails = (f"one{round_}@example.com", f"two{round_}@example.com")
            outcomes = race(*(in_session(register_user, email, PASSWORD) for email in emails))
            assert all(isinstance(o, User) for o in outcomes), outcomes
            assert sorted(o.role for o in outcomes) == ["admin", "candidate"]
            with db.session() as session:
                session.execute(User.__table__.delete())
                session.commit()


def test_two_signups_with_one_email_at_once_make_one_account(app):
    signup_race_same_email(app)


def test_two_first_signups_at_once_make_one_admin(app):
    first_signups_race(app)


def test_signing_up_with_a_taken_email_in_any_case_is_refused(app):
    with app.app_context(), db.session() as session:
        register_user(session, "Taken@Example.com", PASSWORD)
        with pytest.raises(EmailTaken):
            register_user(session, " taken@example.COM", PASSWORD)


# --- Reset links ----------------------------------------------------------------------------


def link_in(page: str) -> str:
    """The path of the reset link an admin's page shows."""
    match = re.search(r'value="http://localhost(/reset/[^"]+)"', page)
    assert match, page
    return match.group(1)


def issue_link(client, user_id: int) -> str:
    page = post(client, f"/admin/users/{user_id}/reset")
    assert page.status_code == 200, page.text
    return link_in(page.text)


def set_password_with(client, path: str, password: str):
    token = csrf_from(client.get(path).text)
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_a_reset_link_sets_a_new_password_once(app, client, auth):
    _, cand = admin_and_candidate(app, auth)
    path = issue_link(client, cand.id)
    with app.app_context(), db.session() as session:
        stored = session.exec(select(PasswordReset)).one()
    assert path.rsplit("/", 1)[1] not in stored.token_hash  # only the hash is kept
    assert stored.created_by == user(app, "boss@example.com").id

    visitor = app.test_client()
    form = visitor.get(path)
    assert form.status_code == 200 and "Set a new password" in form.text
    short = set_password_with(visitor, path, "short")
    assert short.status_code == 200 and "at least 10 characters" in short.text.lower()
    weak = set_password_with(visitor, path, "cand@example.com")  # the account's own email
    assert weak.status_code == 200 and "Add another word" in error_beside(weak.text, "password")
    done = set_password_with(visitor, path, "a brand new password")
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    assert AuthActions(visitor).login("cand@example.com").status_code == 200  # old one: no
    assert AuthActions(visitor).login("cand@example.com", "a brand new password").status_code == 302
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been used" in again.text
    late = app.test_client()  # a second tab that opened the form before the link was used
    token = csrf_from(late.get("/login").text)
    reused = late.post(path, data={"password": "x" * 12, "confirm": "x" * 12, "csrf_token": token})
    assert reused.status_code == 410


def test_a_new_reset_link_voids_the_older_one(app, client, auth):
    _, cand = admin_and_candidate(app, auth)
    older = issue_link(client, cand.id)
    newer = issue_link(client, cand.id)
    replaced = app.test_client().get(older)
    assert replaced.status_code == 410 and "replaced by a newer one" in replaced.text
    assert app.test_client().get(newer).status_code == 200


def test_an_expired_reset_link_is_410(app, auth):
    _, cand = admin_and_candidate(app, auth)
    with app.app_context(), db.session() as session:
        issued = issue_password_reset(session, cand.id, None, hours=24)
        session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    visitor = app.test_client()
    response = visitor.get(f"/reset/{issued.token}")
    assert response.status_code == 410 and "has expired" in response.text
    token = csrf_from(visitor.get("/login").text)
    posted = visitor.post(
        f"/reset/{issued.token}",
        data={"password": "x" * 12, "confirm": "x" * 12, "csrf_token": token},
    )
    assert posted.status_code == 410
    assert AuthActions(visitor).login("cand@example.com").status_code == 302  # unchanged


def test_an_unknown_reset_link_is_404_with_a_clear_page(client):
    response = client.get("/reset/not-a-real-token")
    assert response.status_code == 404 and "not valid" in response.text


def test_without_a_mail_server_the_link_is_only_shown(app, client, auth):
    _, cand = admin_and_candidate(app, auth)
    page = post(client, f"/admin/users/{cand.id}/reset").text
    assert "/reset/" in page and "e-mailed" not in page and "could not be sent" not in page


class Inbox:
    """What an SMTP server on 127.0.0.1 received."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8"))
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def mail_app(tmp_path, seeded_database, port: int):
    import shutil

    shutil.copy(seeded_database, tmp_path / "coach.db")
    return make_app(
        tmp_path,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_SENDER="Coach <coach@example.com>",
        PUBLIC_URL="http://localhost",  # the test client's host, so links open in the tests
    )


def test_the_reset_link_is_e_mailed_when_a_mail_server_is_set(
    tmp_path, seeded_database, smtp_server
):
    controller, inbox = smtp_server
    app = mail_app(tmp_path, seeded_database, controller.port)
    client = app.test_client()
    _, cand = admin_and_candidate(app, AuthActions(client))
    page = post(client, f"/admin/users/{cand.id}/reset").text
    assert "The link was e-mailed to cand@example.com" in page
    path = link_in(page)
    # The server's handler ran before its reply to the message, so it is in the inbox now.
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert sender == "coach@example.com" and recipients == ["cand@example.com"]
    assert f"http://localhost{path}" in content
    assert app.test_client().get(path).status_code == 200


def test_a_mail_server_that_fails_is_reported_to_the_admin(tmp_path, seeded_database):
    app = mail_app(tmp_path, seeded_database, free_port())  # nothing listens there
    client = app.test_client()
    _, cand = admin_and_candidate(app, AuthActions(client))
    page = post(client, f"/admin/users/{cand.id}/reset")
    assert page.status_code == 200
    assert "could not be sent" in page.text
    assert app.test_client().get(link_in(page.text)).status_code == 200  # passed on by hand


# --- Sign-up by e-mail ----------------------------------------------------------------------


def body_of(content: str) -> str:
    """A received message's text, decoded as a mail program would show it."""
    return email.message_from_string(content, policy=email.policy.default).get_content()


def test_with_mail_a_taken_address_gets_the_same_page_and_its_owner_an_e_mail(
    tmp_path, seeded_database, smtp_server
):
    controller, inbox = smtp_server
    app = mail_app(tmp_path, seeded_database, controller.port)
    with app.app_context(), db.session() as session:
        register_user(session, "taken@example.com", "correct horse battery")

    def sign_up(email: str):
        client = app.test_client()
        form = client.get("/register").text
        assert 'name="password"' not in form  # the password is chosen after the e-mailed link
        response = client.post("/register", data={"email": email, "csrf_token": csrf_from(form)})
        page = response.text.replace(email.lower(), "ADDRESS")
        return response.status_code, re.sub(r'value="[^"]{40,}"', "TOKEN", page)

    new, taken = sign_up("new@example.com"), sign_up("Taken@Example.com")
    assert new == taken
    assert new[0] == 200 and "Check your e-mail" in new[1]
    # The server's handler ran before its reply to each message, so both are in the inbox now.
    (to_new, new_mail), (to_owner, owner_mail) = [(m[1], body_of(m[2])) for m in inbox.messages]
    assert to_new == ["new@example.com"] and to_owner == ["taken@example.com"]
    assert "already has one" in owner_mail and "/register/" not in owner_mail
    assert count_rows(app, User) == 1  # nothing is made until the link is opened

    link = re.search(r"http://localhost(/register/\S+)", new_mail).group(1)
    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "new@example.com" in page.text
    weak = visitor.post(
        link,
        data={
            "password": "new@example.com",
            "confirm": "new@example.com",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert weak.status_code == 200 and error_beside(weak.text, "password")
    done = visitor.post(
        link,
        data={
            "password": "a calmer harbour at dusk",
            "confirm": "a calmer harbour at dusk",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert done.status_code == 302 and done.headers["Location"] == "/questions"
    assert user(app, "new@example.com").role == "candidate"
    assert "Log out" in visitor.get("/").text
    again = app.test_client().get(link)
    assert again.status_code == 410 and "already been used" in again.text


def test_e_mailed_links_are_on_the_public_url_whatever_host_the_request_names(
    tmp_path, seeded_database, smtp_server
):
    controller, inbox = smtp_server
    app = mail_app(tmp_path, seeded_database, controller.port)
    with app.app_context(), db.session() as session:
        register_user(session, "taken@example.com", "correct horse battery")
    forged = {"base_url": "http://evil.example"}  # the Host header a visitor chose
    visitor = app.test_client()
    form = visitor.get("/register", **forged).text
    for address in ("new@example.com", "taken@example.com"):
        sent = visitor.post(
            "/register", data={"email": address, "csrf_token": csrf_from(form)}, **forged
        )
        assert sent.status_code == 200
    mails = [body_of(m[2]) for m in inbox.messages]
    assert len(mails) == 2 and not any("evil.example" in mail for mail in mails)
    assert "http://localhost/register/" in mails[0] and "http://localhost/login" in mails[1]


def test_a_mail_server_without_a_public_url_sends_nothing(tmp_path, seeded_database, smtp_server):
    """Mail stays off until PUBLIC_URL says where its links point: sign-up waits for an admin."""
    controller, inbox = smtp_server
    app = mail_app(tmp_path, seeded_database, controller.port)
    app.config["PUBLIC_URL"] = None
    app.config["SIGNUP_APPROVAL"] = True
    with app.app_context(), db.session() as session:
        register_user(session, "admin@example.com", "correct horse battery")
    signed_up = AuthActions(app.test_client()).register("new@example.com")
    assert signed_up.status_code == 200 and "Waiting for approval" in signed_up.text
    assert inbox.messages == []


def has_account(app, email: str) -> bool:
    with app.app_context(), db.session() as session:
        return find_user(session, email) is not None


def test_a_sign_up_link_stays_used_after_its_account_is_deleted(
    tmp_path, seeded_database, smtp_server
):
    """The link is signed, not stored, so "used" cannot mean only "its address has an account":
    deleted within the link's lifetime, the account must not come back through the old link."""
    controller, inbox = smtp_server
    app = mail_app(tmp_path, seeded_database, controller.port)
    with app.app_context(), db.session() as session:
        register_user(session, "admin@example.com", "correct horse battery")  # the first: admin
    visitor = app.test_client()
    form = visitor.get("/register").text
    visitor.post("/register", data={"email": "brief@example.com", "csrf_token": csrf_from(form)})
    link = re.search(r"http://localhost(/register/\S+)", body_of(inbox.messages[-1][2])).group(1)
    password = "a calmer harbour at dusk"
    opened = visitor.get(link).text
    choose = {"password": password, "confirm": password, "csrf_token": csrf_from(opened)}
    assert visitor.post(link, data=choose).status_code == 302

    token = csrf_from(visitor.get("/account").text)
    deleted = visitor.post(
        "/account/delete",
        data={"del-email": "brief@example.com", "del-password": password, "del-csrf_token": token},
    )
    assert deleted.status_code == 302 and not has_account(app, "brief@example.com")

    stranger = app.test_client()
    again = stranger.get(link)
    assert again.status_code == 410 and "already been used" in again.text
    choose["csrf_token"] = csrf_from(stranger.get("/register").text)  # a post, not the page
    replayed = stranger.post(link, data=choose)
    assert replayed.status_code == 410 and "already been used" in replayed.text
    assert not has_account(app, "brief@example.com")
    # Signing up again sends a new link, which works; records of links that have expired go.
    with app.app_context(), db.session() as session:
        session.execute(update(UsedSignupLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    form = stranger.get("/register").text
    stranger.post("/register", data={"email": "brief@example.com", "csrf_token": csrf_from(form)})
    fresh = re.search(r"http://localhost(/register/\S+)", body_of(inbox.messages[-1][2])).group(1)
    assert fresh != link
    page = stranger.get(fresh).text
    choose["csrf_token"] = csrf_from(page)
    assert stranger.post(fresh, data=choose).status_code == 302
    assert user(app, "brief@example.com").role == "candidate"
    assert count_rows(app, UsedSignupLink) == 1  # the new link's


def test_a_forged_sign_up_link_is_404(tmp_path, seeded_database, smtp_server):
    controller, _ = smtp_server
    app = mail_app(tmp_path, seeded_database, controller.port)
    response = app.test_client().get("/register/bmV3QGV4YW1wbGUuY29t.forged.signature")
    assert response.status_code == 404 and "not valid" in response.text
    assert count_rows(app, User) == 0


# --- The command line -----------------------------------------------------------------------


def test_create_admin_makes_a_new_account_from_a_prompted_password(app, runner, client):
    result = runner.invoke(
        args=["user", "create-admin", "Root@Example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created: root@example.com is an active admin." in result.output
    assert PASSWORD not in result.output
    assert user(app, "root@example.com").role == "admin"
    assert AuthActions(client).login("root@example.com").status_code == 302


def test_create_admin_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["user", "create-admin", "root@example.com", "--password-stdin"],
        input="from standard input\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (
            AuthActions(app.test_client())
            .login("root@example.com", "from standard input")
            .status_code
            == 302
        )


def test_create_admin_refuses_a_short_password(app, runner):
    result = runner.invoke(
        args=["user", "create-admin", "root@example.com", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the password needs at least 10 characters"
    assert count_rows(app, User) == 0


def test_create_admin_refuses_a_password_that_is_easy_to_guess(app, runner):
    result = runner.invoke(
        args=["user", "create-admin", "root@example.com", "--password-stdin"],
        input="1234567890\n",
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: the password is too easy to guess: This is a top-100")
    assert count_rows(app, User) == 0


def test_create_admin_promotes_and_reactivates_an_existing_account(app, runner, auth):
    _, cand = admin_and_candidate(app, auth)
    with app.app_context(), db.session() as session:
        deactivate_user(session, cand.id)
    result = runner.invoke(args=["user", "create-admin", "cand@example.com"])
    assert result.exit_code == 0, result.output
    assert "Updated: cand@example.com is an active admin." in result.output
    account = user(app, "cand@example.com")
    assert account.role == "admin" and account.deactivated_at is None
    assert count_rows(app, User) == 2


def test_set_role_changes_a_role_and_keeps_the_last_admin(app, runner, auth):
    admin_and_candidate(app, auth)
    done = runner.invoke(args=["user", "set-role", "CAND@example.com", "coach"])
    assert done.exit_code == 0 and "cand@example.com is now coach." in done.output
    assert user(app, "cand@example.com").role == "coach"

    refused = runner.invoke(args=["user", "set-role", "boss@example.com", "candidate"])
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: boss@example.com is the last active admin")
    assert len(refused.output.strip().splitlines()) == 1
    assert user(app, "boss@example.com").role == "admin"

    unknown = runner.invoke(args=["user", "set-role", "nobody@example.com", "coach"])
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: no account with the email nobody@example.com"
    bad_role = runner.invoke(args=["user", "set-role", "cand@example.com", "owner"])
    assert bad_role.exit_code == 2
