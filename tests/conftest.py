"""Shared fixtures: a real SQLite file per test, seeded once per session and copied."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app import create_app
from app.bank.service import load_shipped_content
from app.extensions import db

ROOT = Path(__file__).resolve().parents[1]


def make_app(instance: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'coach.db'}",
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
