"""Accounts: registration, login, roles, CSRF and throttling, through the real forms."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from app.auth.services import register_user, set_role
from app.extensions import db
from app.models import Attempt, Role, User
from tests.conftest import AuthActions, count_rows, csrf_from, make_app


def user(app, email: str) -> User:
    with app.app_context(), db.session() as session:
        return session.exec(select(User).where(User.email == email)).one()


def test_first_account_is_admin_and_later_ones_are_candidates(app, client, auth):
    assert auth.register("first@example.com").status_code == 302
    auth.logout()
    assert auth.register("second@example.com").status_code == 302
    assert user(app, "first@example.com").role == "admin"
    assert user(app, "second@example.com").role == "candidate"


def test_passwords_are_stored_as_argon2_hashes(app, auth):
    auth.register("hash@example.com", "a long enough secret")
    stored = user(app, "hash@example.com").password_hash
    assert stored.startswith("$argon2id$") and "a long enough secret" not in stored


def test_login_logout_and_wrong_password(client, auth):
    auth.register()
    auth.logout()
    assert "Log in" in client.get("/").text
    wrong = auth.login(password="not the password")
    assert wrong.status_code == 200
    assert "do not match an account" in wrong.text
    assert auth.login().status_code == 302
    assert "Log out" in client.get("/").text


def test_registration_errors_are_shown_next_to_the_field(client, auth):
    auth.register("dup@example.com")
    auth.logout()
    again = auth.register("dup@example.com")
    assert "already exists" in again.text
    token = csrf_from(client.get("/register").text)
    short = client.post(
        "/register",
        data={
            "email": "x@example.com",
            "password": "short",
            "confirm": "short",
            "csrf_token": token,
        },
    )
    assert "at least 10 characters" in short.text.lower()


def test_a_form_posted_without_its_csrf_token_is_rejected(client):
    response = client.post(
        "/register",
        data={"email": "nocsrf@example.com", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 400
    assert "Form expired" in response.text


def test_login_is_throttled_per_account(app, client, auth):
    auth.register("target@example.com")
    auth.logout()
    for _ in range(5):
        assert auth.login("target@example.com", "wrong password!").status_code == 200
    blocked = auth.login("target@example.com", "correct horse battery")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text


def test_only_admins_see_and_change_roles(app, client, auth):
    auth.register("boss@example.com")
    auth.logout()
    auth.register("cand2@example.com")
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    auth.login("boss@example.com")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "cand2@example.com" in page.text
    target = user(app, "cand2@example.com")
    token = csrf_from(page.text)
    response = client.post(
        f"/admin/users/{target.id}/role",
        data={
            f"u{target.id}-role": "coach",
            f"u{target.id}-csrf_token": token,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert user(app, "cand2@example.com").role == "coach"


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_a_response_keeps_the_security_headers_it_sets_itself(app):
    """The defaults fill in what a response lacks, each once, whatever case its own names use."""

    @app.get("/own-headers")
    def own_headers():
        return "x", {"content-security-policy": "default-src 'none'", "Cache-Control": "max-age=5"}

    headers = app.test_client().get("/own-headers").headers
    assert headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert headers.getlist("Cache-Control") == ["max-age=5"]
    assert headers.getlist("X-Frame-Options") == ["DENY"]
    assert headers.getlist("Referrer-Policy") == ["same-origin"]


def test_next_parameter_cannot_redirect_off_site(client):
    actions = AuthActions(client)
    actions.register()
    actions.logout()
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login?next=https://evil.example/steal",
        data={
            "email": "cand@example.com",
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/questions"


def test_a_role_change_applies_to_a_signed_in_user_on_their_next_request(app, client, auth):
    auth.register_with_role("boss@example.com", Role.ADMIN)  # not the only admin: demotable
    assert client.get("/admin/users").status_code == 200
    boss = user(app, "boss@example.com")
    with app.app_context(), db.session() as session:
        set_role(session, boss.id, Role.CANDIDATE)
    assert client.get("/admin/users").status_code == 403
    assert "Users</a>" not in client.get("/").text
    with app.app_context(), db.session() as session:
        set_role(session, boss.id, Role.ADMIN)
    assert client.get("/admin/users").status_code == 200


def test_an_answer_posted_with_a_stale_form_is_shown_back_to_copy(client, auth):
    auth.register_candidate()
    response = client.post(
        "/questions/worldwide-outage/submit",
        data={"answer_text": "We roll back <first> & talk later.", "csrf_token": "stale"},
    )
    assert response.status_code == 400 and "Form expired" in response.text
    assert "readonly>We roll back &lt;first&gt; &amp; talk later.</textarea>" in response.text


@pytest.mark.parametrize(("proxies", "third_login"), [(1, 200), (0, 429)])
def test_the_login_limit_per_address_reads_the_proxy_header_only_when_told_to(
    tmp_path, seeded_database, proxies, third_login
):
    """Behind one proxy each visitor has their own allowance; with no proxy configured the
    header is ignored, so a forged X-Forwarded-For cannot dodge the limit."""
    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, PROXY_COUNT=proxies, LOGIN_LIMIT_PER_ADDRESS="2 per minute")
    client = app.test_client()

    def login_from(address: str, email: str) -> int:
        token = csrf_from(client.get("/login").text)
        return client.post(
            "/login",
            data={"email": email, "password": "not a password", "csrf_token": token},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert login_from("203.0.113.5", "a@example.com") == 200
    assert login_from("203.0.113.5", "b@example.com") == 200
    assert login_from("203.0.113.5", "c@example.com") == 429
    assert login_from("198.51.100.7", "d@example.com") == third_login


def test_a_page_left_open_cannot_save_into_the_next_account(client, auth):
    """Logging out and in starts a fresh session: the old page's CSRF token no longer works, so
    its autosaves cannot land in whoever signs in next on this browser."""
    auth.register_candidate("first@example.com")
    old_token = csrf_from(client.get("/questions/worldwide-outage").text)
    auth.logout()
    auth.register("second@example.com")
    late = client.post(
        "/questions/worldwide-outage/draft",
        json={
            "draft_key": "first-tab",
            "version": 1,
            "answer_text": "The first candidate's words.",
        },
        headers={"X-CSRFToken": old_token},
    )
    assert late.status_code == 400 and "logged out" in late.json["error"]
    assert count_rows(client.application, Attempt) == 0


def test_limits_set_for_every_route_apply_to_page_views_too(tmp_path, seeded_database):
    """Page views skip the limiter only while no limit covers every route. (In a process of
    its own: the limiter keeps default limits once set, for every app made after.)"""
    shutil.copy(seeded_database, tmp_path / "coach.db")
    script = (
        "import sys; from pathlib import Path; from tests.conftest import make_app\n"
        "client = make_app(Path(sys.argv[1]), RATELIMIT_DEFAULT='2 per minute').test_client()\n"
        "print([client.get('/questions').status_code for _ in range(3)])\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.strip() == "[200, 200, 429]"


def test_workers_sharing_a_database_share_the_login_limit_without_redis(tmp_path, seeded_database):
    """Two processes, as two gunicorn workers are, with no Redis: the counts live in the
    database, so the limit holds across them (it was once counted per worker)."""
    shutil.copy(seeded_database, tmp_path / "coach.db")
    script = (
        "import sys; from pathlib import Path; from tests.conftest import csrf_from, make_app\n"
        "app = make_app(Path(sys.argv[1]), LOGIN_LIMIT_PER_ADDRESS='2 per minute')\n"
        "assert app.config['RATELIMIT_STORAGE_URI'] == 'coach-database://'\n"
        "client = app.test_client()\n"
        "codes = []\n"
        "for _ in range(int(sys.argv[2])):\n"
        "    token = csrf_from(client.get('/login').text)\n"
        "    form = {'email': 'a@example.com', 'password': 'not it', 'csrf_token': token}\n"
        "    codes.append(client.post('/login', data=form).status_code)\n"
        "print(codes)\n"
    )

    def worker(logins: int) -> str:
        return subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), str(logins)],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert worker(2) == "[200, 200]"
    assert worker(1) == "[429]"


# --- Sign-up tells nobody which addresses have accounts -------------------------------------


def test_sign_up_is_throttled_per_address(tmp_path, seeded_database):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, REGISTER_LIMIT_PER_ADDRESS="2 per hour")
    client = app.test_client()
    actions = AuthActions(client)
    assert actions.register("one@example.com").status_code == 302
    actions.logout()
    assert actions.register("one@example.com").status_code == 200  # taken: refused, counted
    blocked = actions.register("three@example.com")
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text
    assert count_rows(app, User) == 1


# --- Login limits cannot lock the owner out --------------------------------------------------


def test_a_stranger_failing_to_log_in_does_not_lock_the_owner_out(tmp_path, seeded_database):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, PROXY_COUNT=1)
    with app.app_context(), db.session() as session:
        register_user(session, "target@example.com", "correct horse battery")
    client = app.test_client()

    def login_from(address: str, password: str) -> int:
        token = csrf_from(client.get("/login").text)
        form = {"email": "target@example.com", "password": password, "csrf_token": token}
        return client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code

    assert [login_from("203.0.113.5", "a wrong guess!") for _ in range(5)] == [200] * 5
    assert login_from("203.0.113.5", "correct horse battery") == 429  # the stranger is stopped
    assert login_from("198.51.100.7", "correct horse battery") == 302  # the owner is not


def test_login_limits_hold_across_servers_sharing_one_redis(tmp_path, seeded_database, request):
    """Two servers (here two processes, as under gunicorn) count one account's failures together
    when they share REDIS_URL: the second sees the first's failures and refuses."""
    redis = request.getfixturevalue("redis_url")  # a real redis-server on a free port
    shutil.copy(seeded_database, tmp_path / "coach.db")
    config = {"REDIS_URL": redis, "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute"}
    first = make_app(tmp_path, **config)
    with first.app_context(), db.session() as session:
        register_user(session, "target@example.com", "correct horse battery")
    failing = AuthActions(first.test_client())
    assert [
        failing.login("target@example.com", "a wrong guess!").status_code for _ in range(3)
    ] == [200] * 3
    script = (
        "import sys; from pathlib import Path\n"
        "from tests.conftest import AuthActions, make_app\n"
        "app = make_app(Path(sys.argv[1]), REDIS_URL=sys.argv[2],"
        " LOGIN_LIMIT_PER_ACCOUNT='3 per minute')\n"
        "print(AuthActions(app.test_client()).login('target@example.com').status_code)\n"
    )
    second = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), redis],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert second.stdout.strip().splitlines()[-1] == "429"


# --- Passwords that are easy to guess are refused -------------------------------------------


def error_beside(page: str, field_id: str) -> str:
    """The error text shown in the form field `field_id`'s own box, or ''."""
    box = re.search(
        rf'<div class="field has-error">\s*<label for="{field_id}">.*?</div>', page, re.S
    )
    errors = re.findall(r'<span class="error">(.*?)</span>', box.group(0)) if box else []
    return " ".join(errors)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1234567890", "common password"),
        ("password123", "very common password"),
        ("dana.smith@example.com", "Add another word or two"),
    ],
)
def test_sign_up_refuses_a_weak_password_with_the_reason_beside_it(
    app, client, auth, password, reason
):
    response = auth.register("dana.smith@example.com", password)
    assert response.status_code == 200
    assert reason in error_beside(response.text, "password")
    assert count_rows(app, User) == 0
