"""A candidate's own data: everything their account holds, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.bank.formats.csvfile import defuse
from app.models import (
    Attempt,
    CoachComment,
    Feedback,
    FollowUp,
    LevelOverride,
    MockInterview,
    MockQuestion,
    Question,
    Rescore,
    RubricVersion,
    Score,
    Share,
    Transcription,
    User,
    utcnow,
)

from .services import get_user


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _emails(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.email).where(User.id.in_(user_ids))).all()  # type: ignore[union-attr]
    return dict(rows)  # type: ignore[arg-type]


def _by_attempt(session: Session, model: Any, attempt_ids: list[int]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    if attempt_ids:
        rows = session.exec(
            select(model).where(model.attempt_id.in_(attempt_ids)).order_by(model.id)
        ).all()
        for row in rows:
            grouped.setdefault(row.attempt_id, []).append(row)
    return grouped


def export_account(session: Session, user_id: int) -> dict[str, Any]:
    """Everything the account holds, as JSON-ready data: its attempts with their answers,
    scores, rescores, AI feedback, follow-ups, recordings' transcripts and delivery figures,
    coaches' comments and levels, and its shares; and its mock interviews."""
    user = get_user(session, user_id)
    rows = session.exec(
        select(Attempt, Question.slug, Question.title)
        .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.created_at, Attempt.id)
    ).all()
    ids = [attempt.id for attempt, _, _ in rows]
    scores = {
        attempt_id: group[0] for attempt_id, group in _by_attempt(session, Score, ids).items()
    }
    rescores = _by_attempt(session, Rescore, ids)
    version_ids = {s.rubric_version_id for s in scores.values()}
    version_ids |= {r.rubric_version_id for group in rescores.values() for r in group}
    versions = {
        v.id: v
        for v in session.exec(
            select(RubricVersion).where(RubricVersion.id.in_(version_ids))  # type: ignore[union-attr]
        )
    }
    feedback = _by_attempt(session, Feedback, ids)
    comments = _by_attempt(session, CoachComment, ids)
    overrides = _by_attempt(session, LevelOverride, ids)
    shares = _by_attempt(session, Share, ids)
    follow_ups = _by_attempt(session, FollowUp, ids)
    recordings = _by_attempt(session, Transcription, ids)
    people = _emails(
        session,
        {c.coach_id for group in (*comments.values(), *overrides.values()) for c in group}
        | {s.coach_id for group in shares.values() for s in group if s.coach_id},
    )

    def scored(row: Score | Rescore) -> dict[str, Any]:
        version = versions[row.rubric_version_id]
        return {
            "overall": row.overall,
            "rubric": {"id": version.rubric_id, "version": version.version},
            "engine_version": row.engine_version,
            "question_version": row.question_version,
            "criteria": row.criteria,
            "flags": row.flags,
            "created_at": _iso(row.created_at),
        }

    attempts = []
    for attempt, slug, title in rows:
        score = scores.get(attempt.id)
        attempts.append(
            {
                "id": attempt.id,
                "question": {"slug": slug, "title": title},
                "status": attempt.status,
                "answer_text": attempt.answer_text,
                "time_spent_seconds": attempt.time_spent_seconds,
                "created_at": _iso(attempt.created_at),
                "updated_at": _iso(attempt.updated_at),
                "submitted_at": _iso(attempt.submitted_at),
                "score": scored(score) if score else None,
                "rescores": [scored(r) for r in rescores.get(attempt.id, [])],
                "ai_feedback": [
                    {
                        "status": f.status,
                        "model": f.model,
                        "reason": f.reason,
                        "content": f.content,
                        "created_at": _iso(f.created_at),
                    }
                    for f in feedback.get(attempt.id, [])
                ],
                "coach_comments": [
                    {
                        "coach": people.get(c.coach_id),
                        "start": c.start,
                        "end": c.end,
                        "body": c.body,
                        "created_at": _iso(c.created_at),
                    }
                    for c in comments.get(attempt.id, [])
                ],
                "level_overrides": [
                    {
                        "coach": people.get(o.coach_id),
                        "criterion": o.criterion_id,
                        "level": o.level,
                        "engine_level": o.engine_level,
                        "reason": o.reason,
                        "created_at": _iso(o.created_at),
                        "reverted_at": _iso(o.reverted_at),
                    }
                    for o in overrides.get(attempt.id, [])
                ],
                "follow_ups": [
                    {
                        "criterion": f.criterion_id,
                        "question": f.question,
                        "answer_text": f.answer_text,
                        "level_before": f.level_before,
                        "level_after": f.level_after,
                        "answered_at": _iso(f.answered_at),
                    }
                    for f in follow_ups.get(attempt.id, [])
                ],
                "recordings": [
                    {
                        "transcript": r.transcript,
                        "delivery": r.delivery,
                        "audio_kept": r.audio is not None,
                        "created_at": _iso(r.created_at),
                    }
                    for r in recordings.get(attempt.id, [])
                ],
                "shares": [
                    {
                        "coach": people.get(s.coach_id) if s.coach_id else None,
                        "kind": "link" if s.token else "via link" if s.via_link else "coach",
                        "created_at": _iso(s.created_at),
                        "revoked_at": _iso(s.revoked_at),
                    }
                    for s in shares.get(attempt.id, [])
                ],
            }
        )
    return {
        "account": {
            "email": user.email,
            "role": user.role,
            "created_at": _iso(user.created_at),
        },
        "exported_at": _iso(utcnow()),
        "attempts": attempts,
        "mock_interviews": _mock_interviews(session, user_id),
    }


def _mock_interviews(session: Session, user_id: int) -> list[dict[str, Any]]:
    mocks = session.exec(
        select(MockInterview).where(MockInterview.user_id == user_id).order_by(MockInterview.id)
    ).all()
    questions: dict[int, list[dict[str, Any]]] = {}
    if mocks:
        rows = session.exec(
            select(MockQuestion, Question.slug)
            .join(Question, Question.id == MockQuestion.question_id)  # type: ignore[arg-type]
            .where(MockQuestion.mock_id.in_([m.id for m in mocks]))  # type: ignore[attr-defined]
            .order_by(MockQuestion.mock_id, MockQuestion.position)
        ).all()
        for row, slug in rows:
            questions.setdefault(row.mock_id, []).append(
                {
                    "question": slug,
                    "answer_text": row.answer_text,
                    "seconds_used": row.seconds_used,
                    "time_limit_seconds": row.time_limit_seconds,
                    "attempt_id": row.attempt_id,
                }
            )
    return [
        {
            "title": mock.title,
            "loop": mock.loop,
            "status": mock.status,
            "created_at": _iso(mock.created_at),
            "finished_at": _iso(mock.finished_at),
            "questions": questions.get(mock.id, []),  # type: ignore[arg-type]
        }
        for mock in mocks
    ]


CSV_COLUMNS = (
    "question_slug",
    "question_title",
    "status",
    "created_at",
    "submitted_at",
    "overall_score",
    "rubric_id",
    "rubric_version",
    "answer_text",
)


def export_account_csv(data: dict[str, Any]) -> str:
    """One row per attempt, from `export_account`'s data."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for attempt in data["attempts"]:
        score = attempt["score"] or {}
        rubric = score.get("rubric", {})
        row = (
            attempt["question"]["slug"],
            attempt["question"]["title"],
            attempt["status"],
            attempt["created_at"],
            attempt["submitted_at"],
            score.get("overall"),
            rubric.get("id"),
            rubric.get("version"),
            attempt["answer_text"],
        )
        writer.writerow([defuse(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()
