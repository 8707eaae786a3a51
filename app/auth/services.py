"""Accounts as plain functions: argon2 hashes, the first account is the admin, and there is
always at least one active admin.

Every change to who holds an account or a role runs under `lock_accounts`, so rules that
count accounts (the first sign-up becomes admin; the last active admin stays one) are checked
and applied atomically, even when two requests arrive at the same moment."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from math import ceil

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.models import (
    Attempt,
    AuditEntry,
    BankImport,
    CoachComment,
    Feedback,
    FollowUp,
    LevelOverride,
    MockInterview,
    MockQuestion,
    Notification,
    PasswordReset,
    Question,
    Rescore,
    Rescoring,
    Role,
    RubricSample,
    Score,
    Share,
    Transcription,
    UsedSignupLink,
    User,
    utcnow,
)

from .mail import signup_attempt_message, signup_link_message

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A change to an account that cannot be made; the message says why, for the user."""


class EmailTaken(AccountError):
    def __init__(self, email: str):
        super().__init__("An account with this email already exists. Log in instead.")
        self.email = email


class LastAdmin(AccountError):
    def __init__(self, email: str):
        super().__init__(
            f"{email} is the last active admin: make another account admin first, so that "
            "someone can still manage the site."
        )


class AccountDeactivated(AccountError):
    def __init__(self) -> None:
        super().__init__("This account has been deactivated. Ask an admin to reactivate it.")


class WrongPassword(AccountError):
    def __init__(self) -> None:
        super().__init__("That is not your current password.")


class UserNotFound(LookupError):
    def __init__(self, user: int | str):
        super().__init__(f"no account {user}")


_RESET_LINK_MESSAGES = {
    "unknown": "This password-reset link is not valid. Check that you copied all of it.",
    "used": "This password-reset link has already been used. Ask an admin for a new one.",
    "expired": "This password-reset link has expired or was replaced by a newer one. "
    "Ask an admin for a new one.",
}


class ResetLinkGone(LookupError):
    """A password-reset token that does not work: `reason` is unknown, used or expired."""

    def __init__(self, reason: str):
        super().__init__(_RESET_LINK_MESSAGES[reason])
        self.reason = reason


def normalise_email(email: str) -> str:
    return email.strip().lower()


# Any constant: the PostgreSQL advisory lock that serialises changes to accounts and roles.
_ACCOUNTS_LOCK = 0x636F6163  # "coac"


def lock_accounts(session: Session) -> None:
    """Hold the accounts lock until this transaction ends. On SQLite that is the database's
    write lock (BEGIN IMMEDIATE, unless this transaction already wrote and so holds it); on
    PostgreSQL an advisory transaction lock. Under READ COMMITTED each later statement sees
    what earlier holders committed, so counts read after this are the truth until commit."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ACCOUNTS_LOCK})
    else:  # pragma: no cover - the app supports SQLite and PostgreSQL
        raise RuntimeError(f"no accounts lock for {dialect}")


def _locked_user(session: Session, user_id: int) -> User:
    """The account's row as it is now, with the accounts lock held."""
    lock_accounts(session)
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        session.rollback()
        raise UserNotFound(user_id)
    return user


def ensure_an_admin_remains(session: Session, user: User) -> None:
    """The one rule behind demoting, deactivating and deleting: refuse when `user` is the last
    active admin. Call it with the accounts lock held (after `_locked_user`)."""
    if user.role != Role.ADMIN or user.deactivated_at is not None:
        return
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(
            User.role == Role.ADMIN,
            User.deactivated_at.is_(None),  # type: ignore[union-attr]
            User.id != user.id,
        )
    ).one()
    if not others:
        email = user.email
        session.rollback()
        raise LastAdmin(email)


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def register_user(
    session: Session,
    email: str,
    password: str,
    role: Role | None = None,
    link: UsedSignupLink | None = None,
    needs_approval: bool = False,
) -> User:
    """Create an account; the first one on a fresh database is the admin, decided in the same
    transaction as the insert, so two first sign-ups at once make one admin. An account made
    through a sign-up link records the link as used in that transaction too. With
    `needs_approval`, any account but the first waits for an admin before it can log in."""
    email = normalise_email(email)
    password_hash = _hasher.hash(password)  # slow on purpose: before the lock, not under it
    lock_accounts(session)
    if find_user(session, email) is not None:
        session.rollback()
        raise EmailTaken(email)
    first = session.exec(select(func.count()).select_from(User)).one() == 0
    if role is None:
        role = Role.ADMIN if first else Role.CANDIDATE
    user = User(
        email=email,
        password_hash=password_hash,
        role=role,
        awaiting_approval=needs_approval and not first,
    )
    session.add(user)
    if link is not None:
        session.execute(delete(UsedSignupLink).where(UsedSignupLink.expires_at < utcnow()))  # type: ignore[arg-type]
        session.add(link)
    try:
        session.commit()
    except IntegrityError:  # the unique email, should anything insert without the lock
        session.rollback()
        raise EmailTaken(email) from None
    return user


def _password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None; upgrades an outdated hash on the way.
    A deactivated account raises AccountDeactivated, but only for the right password, so the
    message tells a stranger nothing. An account awaiting approval is None, as a wrong password
    is: whoever signed up with an address cannot tell from logging in whether it was taken."""
    user = find_user(session, email)
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so timing reveals nothing
        return None
    if not _password_matches(user, password) or user.awaiting_approval:
        return None
    if user.deactivated_at is not None:
        raise AccountDeactivated()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.commit()
    return user


@dataclass(frozen=True, eq=False)
class SignedInUser(UserMixin):
    """Who is signed in, as loaded on every request: only what pages and role checks read, never
    the password hash. Code that changes an account loads its `User` row instead."""

    id: int
    email: str
    role: str
    session_version: int = 0

    @classmethod
    def of(cls, user: User) -> SignedInUser:
        assert user.id is not None
        return cls(user.id, user.email, user.role, user.session_version)

    def get_id(self) -> str:
        """What the session and the remember-me cookie carry: the account and its session
        version, so raising the version ends every session and cookie made before."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def parse_session_id(session_id: str) -> tuple[int, int] | None:
    """The account and session version in a `SignedInUser.get_id()`; None for anything else,
    including the bare ids of sessions made before versions existed."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


# Loaded on every logged-in request, so built once: a plain row costs a fraction of an ORM load.
# A deactivated account, or a session from before the account's last logout, loads as nobody, so
# such sessions end on their next request.
_USERS = User.__table__.c  # type: ignore[attr-defined]
_SIGNED_IN = select(_USERS.id, _USERS.email, _USERS.role, _USERS.session_version).where(
    _USERS.id == bindparam("user_id"),
    _USERS.session_version == bindparam("version"),
    _USERS.deactivated_at.is_(None),
)


def signed_in_user(session: Session, user_id: int, version: int) -> SignedInUser | None:
    row = session.connection().execute(_SIGNED_IN, {"user_id": user_id, "version": version})
    found = row.first()
    return SignedInUser(*found) if found else None


def end_sessions(session: Session, user_id: int) -> SignedInUser:
    """Raise the account's session version: every session and remember-me cookie made before
    stops working on its next request, in every browser. Returns the account as it is now, for
    a caller that keeps its own session by signing in again."""
    session.execute(
        update(User)
        .where(User.id == user_id)  # type: ignore[arg-type]
        .values(session_version=User.session_version + 1)
    )
    session.commit()
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise UserNotFound(user_id)
    return SignedInUser.of(user)


# ---------------------------------------------------------------------------------------------
# Admins manage accounts


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    role: str
    created_at: datetime
    deactivated_at: datetime | None
    awaiting_approval: bool
    attempts: int


@dataclass(frozen=True)
class UserPage:
    items: list[UserRow]
    total: int
    page: int
    pages: int


def list_users(session: Session, search: str = "", page: int = 1, per_page: int = 50) -> UserPage:
    """One page of accounts, oldest first, whose email contains `search`, with attempt counts."""
    matching = select(User.id)
    if search.strip():
        matching = matching.where(
            User.email.contains(normalise_email(search), autoescape=True)  # type: ignore[attr-defined]
        )
    total = session.exec(select(func.count()).select_from(matching.subquery())).one()
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    attempts = (
        select(func.count(Attempt.id))  # type: ignore[arg-type]
        .where(Attempt.user_id == User.id)
        .scalar_subquery()
    )
    rows = session.exec(
        select(
            User.id,
            User.email,
            User.role,
            User.created_at,
            User.deactivated_at,
            User.awaiting_approval,
            attempts,
        )
        .where(User.id.in_(matching))  # type: ignore[union-attr]
        .order_by(User.created_at, User.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return UserPage([UserRow(*row) for row in rows], total, page, pages)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


def _not_yourself(user_id: int, actor_id: int | None, action: str) -> None:
    """An admin cannot lock themself out by a slip of the mouse: another admin must do it."""
    if user_id == actor_id:
        raise AccountError(f"You cannot {action} your own account; ask another admin.")


def set_role(session: Session, user_id: int, role: Role, actor_id: int | None = None) -> User:
    """Give the account `role`, unless that would leave no active admin."""
    if role != Role.ADMIN:
        _not_yourself(user_id, actor_id, "remove the admin role from")
    user = _locked_user(session, user_id)
    if role != Role.ADMIN:
        ensure_an_admin_remains(session, user)
    user.role = role
    session.add(user)
    session.commit()
    return user


def deactivate_user(session: Session, user_id: int, actor_id: int | None = None) -> User:
    """The account can no longer log in and its open sessions end; all it made stays."""
    _not_yourself(user_id, actor_id, "deactivate")
    user = _locked_user(session, user_id)
    ensure_an_admin_remains(session, user)
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
        session.add(user)
    session.commit()
    return user


AWAITING_SHOWN = 100  # sign-ups awaiting approval listed at once, however many there are


def awaiting_approval(session: Session) -> list[User]:
    """The sign-ups an admin has yet to approve, the oldest AWAITING_SHOWN."""
    return list(
        session.exec(
            select(User)
            .where(User.awaiting_approval)  # type: ignore[arg-type]
            .order_by(User.created_at, User.id)  # type: ignore[arg-type]
            .limit(AWAITING_SHOWN)
        ).all()
    )


def approve_user(session: Session, user_id: int) -> User:
    """A sign-up awaiting approval can log in from now on."""
    user = _locked_user(session, user_id)
    user.awaiting_approval = False
    session.add(user)
    session.commit()
    return user


def reactivate_user(session: Session, user_id: int) -> User:
    user = _locked_user(session, user_id)
    user.deactivated_at = None
    session.add(user)
    session.commit()
    return user


def create_admin(session: Session, email: str, password: str | None) -> tuple[User, bool]:
    """Recovery from the command line: make the account an active admin, creating it (with
    `password`) if there is none. Returns the account and whether it was created."""
    existing = find_user(session, email)
    if existing is None:
        if password is None:
            raise AccountError("a new account needs a password")
        return register_user(session, email, password, role=Role.ADMIN), True
    user = _locked_user(session, existing.id)
    user.role = Role.ADMIN
    user.deactivated_at = None
    user.awaiting_approval = False
    session.add(user)
    session.commit()
    return user, False


# ---------------------------------------------------------------------------------------------
# Password resets: a random token, stored only as its hash, used once, until it expires


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedReset:
    user: User
    token: str  # shown once, to be passed on: the database keeps only its hash
    expires_at: datetime


def issue_password_reset(
    session: Session, user_id: int, issued_by: int | None, hours: float
) -> IssuedReset:
    """A new one-time link for the account; any older link still unused stops working."""
    user = get_user(session, user_id)
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user_id,
            PasswordReset.used_at.is_(None),  # type: ignore[union-attr]
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=hours)
    reset = PasswordReset(
        user_id=user_id, token_hash=_token_hash(token), created_by=issued_by, expires_at=expires_at
    )
    session.add(reset)
    session.commit()
    return IssuedReset(user, token, expires_at)


def password_reset_for(session: Session, token: str) -> PasswordReset:
    """The reset the token names, if it still works; else ResetLinkGone saying why."""
    reset = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token))
    ).first()
    if reset is None:
        raise ResetLinkGone("unknown")
    if reset.used_at is not None:
        raise ResetLinkGone("used")
    if reset.expires_at <= utcnow():
        raise ResetLinkGone("expired")
    return reset


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set the password and spend the link, in one transaction: of two uses at once, one wins."""
    password_hash = _hasher.hash(new_password)
    reset = password_reset_for(session, token)
    now = utcnow()
    claimed = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),  # type: ignore[union-attr]
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        session.rollback()
        password_reset_for(session, token)  # raises, now that another use has won
        raise ResetLinkGone("used")  # pragma: no cover - the line above raises
    user = get_user(session, reset.user_id)
    user.password_hash = password_hash
    user.session_version += 1  # whoever knew the old password is signed out everywhere
    session.add(user)
    session.commit()
    return user


# ---------------------------------------------------------------------------------------------
# Sign-up by e-mail, when the site sends mail: the address first, its owner's password after


_SIGNUP_SALT = "coach-signup"  # a signed sign-up link is no use as any other signed value


_SIGNUP_LINK_MESSAGES = {
    "unknown": "This sign-up link is not valid. Check that you copied all of it.",
    "expired": "This sign-up link has expired. Sign up again for a new one.",
    "used": "This sign-up link has already been used: your account is ready. Log in.",
}


class SignupLinkGone(LookupError):
    """A sign-up link that does not work: `reason` is unknown, expired or used."""

    def __init__(self, reason: str):
        super().__init__(_SIGNUP_LINK_MESSAGES[reason])
        self.reason = reason


def _signup_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SIGNUP_SALT)


def signup_email_for(session: Session, secret_key: str, token: str, max_age: float) -> str:
    """The address a sign-up link was sent to, while the link works; else SignupLinkGone. The
    link carries only the signed address, a nonce and its time: the password is chosen after
    opening it, so whoever holds the mailbox, and only they, sets it. It works once, even if
    the account it made is deleted while the link is young."""
    try:
        signed = _signup_serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise SignupLinkGone("expired") from None
    except BadSignature:
        raise SignupLinkGone("unknown") from None
    email = str(signed).partition(" ")[0]  # "address nonce"
    if find_user(session, email) is not None or session.get(UsedSignupLink, _token_hash(token)):
        raise SignupLinkGone("used")
    return email


def used_signup_link(token: str, max_age: float) -> UsedSignupLink:
    """The record that `token` has made its account, kept no longer than the link could work."""
    expires_at = utcnow() + timedelta(seconds=max_age)
    return UsedSignupLink(token_hash=_token_hash(token), expires_at=expires_at)


@dataclass(frozen=True)
class SignupMail:
    """Where to send a sign-up's one message and the links it may carry."""

    sender: str
    secret_key: str
    link_for: Callable[[str], str]  # a sign-up token -> the full link that opens it
    login_link: str
    hours: float


def signup_message(session: Session, email: str, mail: SignupMail) -> EmailMessage:
    """The one message a sign-up sends: to a new address, a link to choose a password; to an
    address that has an account, a note to its owner. The visitor sees the same page and the
    same work is done either way, so nothing tells them whether the address has an account."""
    email = normalise_email(email)
    if find_user(session, email) is not None:
        return signup_attempt_message(mail.sender, email, mail.login_link)
    # A nonce makes each link its own, even two sent in the same second: one can be used up
    # without the other.
    token = _signup_serializer(mail.secret_key).dumps(f"{email} {secrets.token_urlsafe(6)}")
    return signup_link_message(mail.sender, email, mail.link_for(token), mail.hours)


# ---------------------------------------------------------------------------------------------
# A user's own account: password, export, deletion


def change_password(session: Session, user_id: int, current: str, new: str) -> SignedInUser:
    """Set a new password and end every session of the account; the caller signs the one
    browser that changed it in again with the account returned."""
    user = get_user(session, user_id)
    if not _password_matches(user, current):
        raise WrongPassword()
    user.password_hash = _hasher.hash(new)
    user.session_version += 1
    session.add(user)
    session.commit()
    return SignedInUser.of(user)


# Deleting an account: what happens to each column that points at it or at its attempts.
# (tests/web/test_account.py checks that every such foreign key in the models is listed here.)
ATTEMPT_ROWS = (
    Notification,
    Share,
    CoachComment,
    LevelOverride,
    Feedback,
    Score,
    Rescore,
    FollowUp,
)
# Rows that are the account's own, or that it wrote on other people's attempts as a coach
# (coach_id cannot be empty): deleted with it.
OWN_ROWS = (
    Transcription.user_id,  # before attempts: a recording names the attempt it was used in
    MockInterview.user_id,  # its questions are deleted first, as they name attempts
    Notification.user_id,
    PasswordReset.user_id,
    Share.coach_id,
    CoachComment.coach_id,
    LevelOverride.coach_id,
)
# Rows that merely name the account as their author: kept, with the author emptied.
AUTHOR_COLUMNS = (
    RubricSample.created_by,
    Rescoring.created_by,
    Question.rubric_assigned_by,
    BankImport.user_id,
    PasswordReset.created_by,
    AuditEntry.actor_id,  # what they did as an admin or coach stays on the record
)


def delete_account(session: Session, user_id: int, email: str, password: str) -> None:
    """Delete the account and everything in it, in one transaction, once the user has typed
    their email and password; the last active admin cannot delete themself."""
    user = _locked_user(session, user_id)
    if normalise_email(email) != user.email:
        session.rollback()
        raise AccountError("Type your account's email exactly to confirm.")
    if not _password_matches(user, password):
        session.rollback()
        raise WrongPassword()
    ensure_an_admin_remains(session, user)
    attempts = select(Attempt.id).where(Attempt.user_id == user_id)
    doomed_shares = select(Share.id).where(
        or_(Share.attempt_id.in_(attempts), Share.coach_id == user_id)  # type: ignore[attr-defined]
    )
    session.execute(
        update(Share)
        .where(Share.via_link.in_(doomed_shares), Share.id.not_in(doomed_shares))  # type: ignore[union-attr]
        .values(via_link=None)
    )
    mocks = select(MockInterview.id).where(MockInterview.user_id == user_id)
    session.execute(delete(MockQuestion).where(MockQuestion.mock_id.in_(mocks)))  # type: ignore[attr-defined]
    for column in OWN_ROWS:
        session.execute(delete(column.class_).where(column == user_id))
    for model in ATTEMPT_ROWS:
        session.execute(delete(model).where(model.attempt_id.in_(attempts)))
    session.execute(delete(Attempt).where(Attempt.user_id == user_id))
    for column in AUTHOR_COLUMNS:
        session.execute(update(column.class_).where(column == user_id).values({column.key: None}))
    session.execute(delete(User).where(User.id == user_id))
    session.commit()
