"""Accounts as plain functions: argon2 hashes, the first account is the admin."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import bindparam
from sqlmodel import Session, func, select

from app.models import Role, User

_hasher = PasswordHasher()


class EmailTaken(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register_user(session: Session, email: str, password: str) -> User:
    """Create an account; the first one on a fresh database is the admin."""
    email = normalise_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise EmailTaken(email)
    first = session.exec(select(func.count()).select_from(User)).one() == 0
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=Role.ADMIN if first else Role.CANDIDATE,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None; upgrades an outdated hash on the way."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so timing reveals nothing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
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

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


# Loaded on every logged-in request, so built once: a plain row costs a fraction of an ORM load.
_USERS = User.__table__.c  # type: ignore[attr-defined]
_SIGNED_IN = select(_USERS.id, _USERS.email, _USERS.role).where(_USERS.id == bindparam("user_id"))


def signed_in_user(session: Session, user_id: int) -> SignedInUser | None:
    row = session.connection().execute(_SIGNED_IN, {"user_id": user_id}).first()
    return SignedInUser(*row) if row else None


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.created_at)).all())


def set_role(session: Session, user_id: int, role: Role) -> User | None:
    user = session.get(User, user_id)
    if user is None:
        return None
    user.role = role
    session.add(user)
    session.commit()
    return user
