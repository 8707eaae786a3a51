"""`coach user`: recover admin access from the command line."""

from __future__ import annotations

import sys

import click

from app.audit import record
from app.cli import user_errors
from app.extensions import db
from app.models import Role

from .forms import MIN_PASSWORD, password_problem
from .services import AccountError, create_admin, find_user, normalise_email, set_role


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


def _new_password(from_stdin: bool, email: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, show_default=False
        )
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > 200:
        raise click.ClickException("the password can have at most 200 characters")
    if problem := password_problem(password, email):
        raise click.ClickException(f"the password is too easy to guess: {problem}")
    return password


@user_group.command("create-admin")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the new account's password from standard input."
)
@user_errors
def create_admin_command(email: str, password_stdin: bool) -> None:
    """Make EMAIL an active admin: create the account (asking for its password) or promote and
    reactivate an existing one."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise click.ClickException(f"{email!r} is not an email address")
    with db.session() as session:
        existing = find_user(session, email)
        before = existing.role if existing else None  # None: a new account
        deactivated = existing is not None and existing.deactivated_at is not None
        password = None if existing else _new_password(password_stdin, email)
        try:
            user, created = create_admin(session, email, password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        # Logged as done from the command line, which has no account: no actor.
        if before != Role.ADMIN:
            record(session, None, "user.role", user.email, before=before, after=user.role)
        if deactivated:
            record(session, None, "user.reactivate", user.email, user_id=user.id)
    click.echo(f"{'Created' if created else 'Updated'}: {user.email} is an active admin.")


@user_group.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@user_errors
def set_role_command(email: str, role: str) -> None:
    """Give the account EMAIL the role ROLE; the last active admin keeps theirs."""
    with db.session() as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no account with the email {normalise_email(email)}")
        before = user.role
        try:
            user = set_role(session, user.id, Role(role))
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        if user.role != before:  # done from the command line, which has no account: no actor
            record(session, None, "user.role", user.email, before=before, after=user.role)
    click.echo(f"{user.email} is now {user.role}.")
