"""The one place that says who may do what: every role-restricted view uses this decorator."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import or_
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import Attempt, AttemptStatus, Role, Share

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role) -> Callable[[F], F]:
    """Log in first; then a user without one of `roles` gets 403 (Forbidden), GET or POST."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def edits_rubrics(user: Any) -> bool:
    """Coaches and admins author rubrics: they see drafts, which nobody else may."""
    return bool(user.is_authenticated and user.role in COACHES)


# Coaches author rubrics and review the attempts shared with them; admins may do all a coach can.
COACHES = (Role.COACH, Role.ADMIN)


class AttemptNotFound(LookupError):
    """No such attempt for this user: the same answer whether it is missing or someone else's."""


def attempts_visible_to(user_id: int, role: str = Role.CANDIDATE) -> SelectOfScalar[Attempt]:
    """The one query every attempt lookup starts from. Everyone sees their own attempts (and
    only the owner acts on them: practice passes no role); coaches and admins reviewing also
    see the submitted attempts shared with them, until the candidate revokes the share."""
    own = Attempt.user_id == user_id
    if role not in COACHES:
        return select(Attempt).where(own)
    shared = (
        select(Share.id)
        .where(
            Share.attempt_id == Attempt.id,
            Share.coach_id == user_id,
            Share.revoked_at.is_(None),  # type: ignore[union-attr]
        )
        .exists()
    )
    return select(Attempt).where(or_(own, shared & (Attempt.status == AttemptStatus.SUBMITTED)))


def get_attempt(
    session: Session, user_id: int, attempt_id: int, role: str = Role.CANDIDATE
) -> Attempt:
    attempt = session.exec(
        attempts_visible_to(user_id, role).where(Attempt.id == attempt_id)
    ).first()
    if attempt is None:
        raise AttemptNotFound(attempt_id)
    return attempt
