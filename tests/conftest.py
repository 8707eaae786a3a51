"""Shared fixtures: a real SQLite file per test, seeded once per session and copied."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import func, select

from app import create_app
from app.bank.service import load_shipped_content
from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def count_rows(app: Flask, model: type) -> int:
    with app.app_context(), db.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def make_app(instance: Path, **config: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'coach.db'}",
            "TASK_CONSUMER": "none",  # tests that need background tasks start a consumer
            # Never the developer's real key: AI tests point at a stand-in server themselves.
            "OPENAI_API_KEY": None,
            "OPENAI_BASE_URL": None,
            **config,
        }
    )


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated and loaded with the shipped bank, built once per test run."""
    instance = tmp_path_factory.mktemp("seed")
    app = make_app(instance)
    with app.app_context():
        db.upgrade_schema()
        with db.session() as session:
            load_shipped_content(session)
        db.engine.dispose()  # closes the last connection, which folds the WAL into the file
    return instance / "coach.db"


@pytest.fixture
def app(tmp_path: Path, seeded_database: Path) -> Flask:
    shutil.copy(seeded_database, tmp_path / "coach.db")
    return make_app(tmp_path)


@pytest.fixture
def empty_app(tmp_path: Path) -> Flask:
    """An app whose database has not been created yet."""
    return make_app(tmp_path)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    """The CSRF token a page's form carries, as a browser would send it back."""
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Register and log in through the real forms, CSRF tokens included."""

    def __init__(self, client):
        self.client = client

    def register(self, email: str = "cand@example.com", password: str = "correct horse battery"):
        token = csrf_from(self.client.get("/register").text)
        return self.client.post(
            "/register",
            data={"email": email, "password": password, "confirm": password, "csrf_token": token},
        )

    def login(self, email: str = "cand@example.com", password: str = "correct horse battery"):
        token = csrf_from(self.client.get("/login").text)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def register_candidate(self, email: str = "candidate@example.com"):
        """Log in as a candidate: the first account on a fresh database is the admin, so one
        is registered (and logged out) first."""
        self.register("admin-first@example.com")
        self.logout()
        return self.register(email)

    def register_with_role(self, email: str, role: str):
        """Log in as a new account holding `role` (an admin sets it, as on the users page)."""
        from app.auth.services import set_role
        from app.models import Role, User

        app = self.client.application
        if not count_rows(app, User):  # the first account is made admin: let it be another
            self.register("admin-first@example.com")
            self.logout()
        self.register(email)
        with app.app_context(), db.session() as session:
            user = session.exec(select(User).where(User.email == email)).one()
            set_role(session, user.id, Role(role))
        return self.client

    def logout(self):
        token = csrf_from(self.client.get("/").text)
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
