"""Review: a candidate shares a submitted attempt with a coach, who comments on it and may
override a criterion's level with a reason; the candidate sees both, marked as the coach's, and
is notified. Plain functions over a session; every lookup of an attempt goes through
`get_attempt`, the one access rule."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.auth.access import COACHES, AttemptNotFound, get_attempt
from app.errors import FieldError
from app.models import (
    Attempt,
    AttemptStatus,
    CoachComment,
    LevelOverride,
    Notification,
    Question,
    Role,
    Score,
    Share,
    User,
    utcnow,
)

MAX_COMMENT_CHARS = 2_000
MAX_REASON_CHARS = 500


class ReviewError(FieldError):
    """Something the user asked for that cannot be done, with the field at fault."""


@dataclass(frozen=True)
class ShareRow:
    share: Share
    coach_email: str | None  # None for a share link
    coaches_via_link: int = 0  # for a link: how many coaches have opened it


@dataclass(frozen=True)
class QueueRow:
    attempt: Attempt
    question: Question
    candidate_email: str
    overall: int
    shared_at: datetime
    unread: bool


@dataclass(frozen=True)
class CoachNotes:
    """What coaches said about one attempt: comments (anchored or overall), the levels in
    force by criterion, and every override ever made, reverted ones included."""

    comments: list[tuple[CoachComment, str]] = field(default_factory=list)
    overrides: dict[str, tuple[LevelOverride, str]] = field(default_factory=dict)
    log: list[tuple[LevelOverride, str]] = field(default_factory=list)


# --- The candidate's side -------------------------------------------------------------------


def share_with_coach(session: Session, owner_id: int, attempt_id: int, coach_email: str) -> Share:
    """Let the coach with this email see the attempt (again, if a share was revoked)."""
    attempt = get_attempt(session, owner_id, attempt_id)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise ReviewError("email", "Only a submitted answer can be shared.")
    email = coach_email.strip().lower()
    coach = session.exec(select(User).where(func.lower(User.email) == email)).first()
    if coach is None or coach.role not in COACHES:
        raise ReviewError("email", "No coach has an account with that email.")
    if coach.id == owner_id:
        raise ReviewError("email", "That is your own account.")
    share = session.exec(
        select(Share).where(Share.attempt_id == attempt.id, Share.coach_id == coach.id)
    ).first()
    if share is None:
        share = Share(attempt_id=attempt.id, coach_id=coach.id)
        session.add(share)
    elif share.revoked_at is not None:
        share.revoked_at, share.read_at, share.created_at = None, None, utcnow()
    session.commit()
    return share


def create_share_link(session: Session, owner_id: int, attempt_id: int) -> Share:
    """A link any coach can open to see the attempt, until the candidate revokes it (the one
    already active, if there is one)."""
    attempt = get_attempt(session, owner_id, attempt_id)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise ReviewError("link", "Only a submitted answer can be shared.")
    link = session.exec(
        select(Share).where(
            Share.attempt_id == attempt.id,
            Share.token.is_not(None),  # type: ignore[union-attr]
            Share.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if link is None:
        link = Share(attempt_id=attempt.id, token=secrets.token_urlsafe(24))
        session.add(link)
        session.commit()
    return link


@dataclass(frozen=True)
class SharedByLink:
    """What a share link offers a coach, before they take it."""

    link: Share
    attempt: Attempt
    question_title: str
    share: Share | None  # the coach's own share of the attempt, if they have one

    @property
    def in_reviews(self) -> bool:
        return self.share is not None and self.share.revoked_at is None


def shared_by_link(session: Session, coach_id: int, token: str) -> SharedByLink:
    """The attempt a live share link offers this coach (never their own); changes nothing."""
    link = session.exec(
        select(Share).where(Share.token == token, Share.revoked_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if link is None:
        raise AttemptNotFound(token)
    attempt = session.get(Attempt, link.attempt_id)
    if attempt is None or attempt.user_id == coach_id:
        raise AttemptNotFound(token)
    question = session.get(Question, attempt.question_id)
    share = session.exec(
        select(Share).where(Share.attempt_id == attempt.id, Share.coach_id == coach_id)
    ).first()
    return SharedByLink(link, attempt, question.title if question else "", share)


def open_share_link(session: Session, coach_id: int, token: str) -> int:
    """A coach takes a share link: the attempt is shared with them (through the link, so that
    revoking the link ends it). Returns the attempt's id."""
    offered = shared_by_link(session, coach_id, token)
    link, attempt, share = offered.link, offered.attempt, offered.share
    if share is None:
        session.add(Share(attempt_id=attempt.id, coach_id=coach_id, via_link=link.id))
    elif share.revoked_at is not None:
        share.revoked_at, share.read_at, share.via_link = None, None, link.id
    session.commit()
    return attempt.id


def shares_of(session: Session, owner_id: int, attempt_id: int) -> list[ShareRow]:
    """Who can see this attempt now: coaches by email, and any share link."""
    attempt = get_attempt(session, owner_id, attempt_id)
    rows = session.exec(
        select(Share, User.email)
        .join(User, User.id == Share.coach_id, isouter=True)  # type: ignore[arg-type]
        .where(Share.attempt_id == attempt.id, Share.revoked_at.is_(None))  # type: ignore[union-attr]
        .order_by(Share.created_at)  # type: ignore[arg-type]
    ).all()
    via = Counter(share.via_link for share, _ in rows if share.via_link)
    return [ShareRow(share, email, via.get(share.id, 0)) for share, email in rows]


def revoke_share(session: Session, owner_id: int, attempt_id: int, share_id: int) -> bool:
    attempt = get_attempt(session, owner_id, attempt_id)
    share = session.get(Share, share_id)
    if share is None or share.attempt_id != attempt.id or share.revoked_at is not None:
        return False
    share.revoked_at = utcnow()
    if share.token:  # a link: the coaches who came through it lose access too
        for opened in session.exec(select(Share).where(Share.via_link == share.id)).all():
            opened.revoked_at = opened.revoked_at or share.revoked_at
    session.commit()
    return True


def unread_notifications(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
    ).one()


def notifications_of(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        ).all()
    )


def mark_read(session: Session, user_id: int, attempt_id: int) -> None:
    """The candidate has opened the attempt: what was new on it is read."""
    unread = session.exec(
        select(Notification).where(
            Notification.user_id == user_id,
            Notification.attempt_id == attempt_id,
            Notification.read_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    for notification in unread:
        notification.read_at = utcnow()
    if unread:
        session.commit()


# --- The coach's side -----------------------------------------------------------------------


def review_queue(
    session: Session, coach_id: int, candidate: str | None = None, question: str | None = None
) -> list[QueueRow]:
    """The attempts shared with this coach and not revoked: unread first, newest first."""
    statement = (
        select(Share, Attempt, Question, User.email, Score.overall)
        .join(Attempt, Attempt.id == Share.attempt_id)  # type: ignore[arg-type]
        .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
        .join(User, User.id == Attempt.user_id)  # type: ignore[arg-type]
        .join(Score, Score.attempt_id == Attempt.id)  # type: ignore[arg-type]
        .where(Share.coach_id == coach_id, Share.revoked_at.is_(None))  # type: ignore[union-attr]
    )
    if candidate:
        statement = statement.where(func.lower(User.email) == candidate.strip().lower())
    if question:
        statement = statement.where(Question.slug == question)
    rows = [
        QueueRow(attempt, q, email, overall, share.created_at, share.read_at is None)
        for share, attempt, q, email, overall in session.exec(statement).all()
    ]
    return sorted(rows, key=lambda r: (not r.unread, -r.shared_at.timestamp()))


def open_for_review(session: Session, coach_id: int, attempt_id: int) -> Attempt:
    """A shared attempt, marked read by this coach."""
    attempt = get_attempt(session, coach_id, attempt_id, Role.COACH)
    share = session.exec(
        select(Share).where(Share.attempt_id == attempt.id, Share.coach_id == coach_id)
    ).first()
    if share is not None and share.read_at is None:
        share.read_at = utcnow()
        session.commit()
    return attempt


def add_comment(
    session: Session,
    coach_id: int,
    attempt_id: int,
    body: str,
    start: int | None = None,
    end: int | None = None,
) -> CoachComment:
    """A comment on the answer's characters [start, end), or with no span an overall note."""
    attempt = _shared_with(session, coach_id, attempt_id)
    body = body.strip()
    if not body:
        raise ReviewError("body", "Write the comment.")
    if len(body) > MAX_COMMENT_CHARS:
        raise ReviewError("body", f"A comment holds at most {MAX_COMMENT_CHARS} characters.")
    if (start is None) != (end is None):
        raise ReviewError("span", "A comment on a passage needs where it starts and ends.")
    if start is not None and end is not None:
        if not 0 <= start < end <= len(attempt.answer_text):
            raise ReviewError("span", "That passage is not in this answer.")
        if not attempt.answer_text[start:end].strip():
            raise ReviewError("span", "Select some words of the answer to comment on.")
    comment = CoachComment(
        attempt_id=attempt.id, coach_id=coach_id, start=start, end=end, body=body
    )
    session.add(comment)
    _notify(session, attempt, "A coach commented on your answer")
    session.commit()
    return comment


def override_level(
    session: Session, coach_id: int, attempt_id: int, criterion_id: str, level: int, reason: str
) -> LevelOverride:
    """Set a criterion's level with a reason; the engine's score is kept as it was."""
    attempt = _shared_with(session, coach_id, attempt_id)
    stored = session.exec(select(Score).where(Score.attempt_id == attempt.id)).one()
    engine = {c["id"]: c for c in stored.criteria}
    if criterion_id not in engine:
        raise ReviewError("criterion", "Choose one of this rubric's criteria.")
    if level not in range(0, engine[criterion_id].get("max", 4) + 1):
        raise ReviewError("level", "Choose a level from 0 to 4.")
    reason = reason.strip()
    if not reason:
        raise ReviewError("reason", "Say why: the candidate sees your reason.")
    if len(reason) > MAX_REASON_CHARS:
        raise ReviewError("reason", f"A reason holds at most {MAX_REASON_CHARS} characters.")
    for earlier in _active_overrides(session, attempt.id, criterion_id):
        earlier.reverted_at = utcnow()  # the newest level stands; the log keeps the others
    override = LevelOverride(
        attempt_id=attempt.id,
        coach_id=coach_id,
        criterion_id=criterion_id,
        level=level,
        engine_level=engine[criterion_id]["score"],
        reason=reason,
    )
    session.add(override)
    title = engine[criterion_id].get("title", criterion_id)
    _notify(session, attempt, f"A coach set “{title}” to {level}/4 on your answer")
    session.commit()
    return override


def revert_override(session: Session, coach_id: int, attempt_id: int, override_id: int) -> bool:
    attempt = _shared_with(session, coach_id, attempt_id)
    override = session.get(LevelOverride, override_id)
    if override is None or override.attempt_id != attempt.id or override.reverted_at is not None:
        return False
    override.reverted_at = utcnow()
    session.commit()
    return True


def coach_notes(session: Session, attempt_id: int) -> CoachNotes:
    """Everything coaches said about an attempt (the caller has already checked access)."""
    comments = session.exec(
        select(CoachComment, User.email)
        .join(User, User.id == CoachComment.coach_id)  # type: ignore[arg-type]
        .where(CoachComment.attempt_id == attempt_id)
        .order_by(CoachComment.start.is_(None), CoachComment.start, CoachComment.id)  # type: ignore[union-attr]
    ).all()
    log = session.exec(
        select(LevelOverride, User.email)
        .join(User, User.id == LevelOverride.coach_id)  # type: ignore[arg-type]
        .where(LevelOverride.attempt_id == attempt_id)
        .order_by(LevelOverride.id)  # type: ignore[arg-type]
    ).all()
    in_force = {o.criterion_id: (o, email) for o, email in log if o.reverted_at is None}
    return CoachNotes(list(comments), in_force, list(log))


def _shared_with(session: Session, coach_id: int, attempt_id: int) -> Attempt:
    """The attempt, if it is shared with this coach now (their own attempts are not reviewed)."""
    attempt = get_attempt(session, coach_id, attempt_id, Role.COACH)
    if attempt.user_id == coach_id:
        raise AttemptNotFound(attempt_id)
    return attempt


def _active_overrides(session: Session, attempt_id: int, criterion_id: str) -> list[LevelOverride]:
    return list(
        session.exec(
            select(LevelOverride).where(
                LevelOverride.attempt_id == attempt_id,
                LevelOverride.criterion_id == criterion_id,
                LevelOverride.reverted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def _notify(session: Session, attempt: Attempt, message: str) -> None:
    session.add(Notification(user_id=attempt.user_id, attempt_id=attempt.id, message=message))
