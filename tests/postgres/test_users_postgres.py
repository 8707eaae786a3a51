"""Accounts on a real PostgreSQL server: the races that SQLite's single writer hides (two admins
removing each other, two sign-ups at once), an account deletion under strict foreign keys, and
session versions (logging out everywhere, a password reset) on its own SQL."""

from __future__ import annotations

from app.extensions import db
from tests.web.test_account import delete_the_leaver
from tests.web.test_sessions import (
    test_a_password_reset_ends_every_session_of_the_account as reset_ends_sessions,
)
from tests.web.test_sessions import (
    test_log_out_everywhere_ends_every_other_session_but_this_one as log_out_everywhere,
)
from tests.web.test_users import first_signups_race, signup_race_same_email, two_admins_race


def test_two_admins_removing_each_other_at_once_leave_one_admin(pg_app):
    assert db.engine.dialect.name == "postgresql"
    two_admins_race(pg_app)


def test_two_signups_with_one_email_at_once_make_one_account(pg_app):
    signup_race_same_email(pg_app)


def test_two_first_signups_at_once_make_one_admin(pg_app):
    first_signups_race(pg_app, rounds=20)


def test_deleting_an_account_removes_everything_of_theirs_and_nothing_else(pg_app):
    delete_the_leaver(pg_app)


def test_log_out_everywhere_ends_every_other_session(pg_app):
    log_out_everywhere(pg_app)


def test_a_password_reset_ends_every_session(pg_app):
    reset_ends_sessions(pg_app)
