"""Feedback records: start one after a submission, fill it in off the request path, reuse it."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from app.auth.access import get_attempt
from app.bank.service import rubric_from_row
from app.models import Attempt, Feedback, FeedbackStatus, Question, RubricVersion, Score, utcnow
from app.scoring import question_report

from .prompt import PROMPT_VERSION
from .settings import LLMSettings


def feedback_key(answer: str, rubric: RubricVersion, model: str) -> str:
    """Equal keys mean equal requests: the same answer, rubric version, model and prompt."""
    parts = [
        answer,
        rubric.rubric_id,
        str(rubric.version),
        rubric.content_hash,
        model,
        PROMPT_VERSION,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def latest_feedback(session: Session, user_id: int, attempt_id: int) -> Feedback | None:
    """The newest feedback on an attempt the user owns."""
    attempt = get_attempt(session, user_id, attempt_id)
    newest_first = Feedback.id.desc()  # type: ignore[union-attr]
    statement = select(Feedback).where(Feedback.attempt_id == attempt.id).order_by(newest_first)
    return session.exec(statement).first()


def start_feedback(
    session: Session, settings: LLMSettings, user_id: int, attempt_id: int
) -> tuple[Feedback | None, bool]:
    """A feedback record for a submitted attempt the user owns, and whether a task must fill it
    in. Feedback already given for the same key is copied at once instead of asking again."""
    if not settings.enabled:
        return None, False
    attempt = get_attempt(session, user_id, attempt_id)
    stored = session.exec(select(Score).where(Score.attempt_id == attempt.id)).one()
    rubric = session.get(RubricVersion, stored.rubric_version_id)
    key = feedback_key(attempt.answer_text, rubric, settings.model)
    cached = session.exec(
        select(Feedback)
        .where(Feedback.cache_key == key, Feedback.status == FeedbackStatus.OK)
        .order_by(Feedback.id.desc())  # type: ignore[union-attr]
    ).first()
    record = Feedback(attempt_id=attempt.id, cache_key=key, model=settings.model)
    if cached is not None:
        record.status, record.content, record.latency_ms = FeedbackStatus.OK, cached.content, 0
    session.add(record)
    session.commit()
    return record, cached is None


def run_feedback(session: Session, settings: LLMSettings, feedback_id: int) -> Feedback | None:
    """The background task's work: ask the AI server and store what it said (or why not).

    Only this record is written: nothing the model says reaches a score, a user or anything else."""
    record = session.get(Feedback, feedback_id)
    if record is None or record.status != FeedbackStatus.PENDING:
        return record
    attempt = session.get(Attempt, record.attempt_id)
    question = session.get(Question, attempt.question_id)
    stored = session.exec(select(Score).where(Score.attempt_id == attempt.id)).one()
    rubric = rubric_from_row(session.get(RubricVersion, stored.rubric_version_id))
    # Deterministic: the same report as the stored one.
    report = question_report(rubric, attempt.answer_text, question)
    from .client import request_feedback  # loads openai: only a worker asking for feedback needs it

    result = request_feedback(settings, question.prompt, rubric, report, attempt.answer_text)
    record.status = FeedbackStatus(result.status)
    record.reason = result.reason
    record.model = result.model
    record.content = result.feedback
    record.prompt_tokens = result.prompt_tokens
    record.completion_tokens = result.completion_tokens
    record.latency_ms = result.latency_ms
    record.updated_at = utcnow()
    session.add(record)
    session.commit()
    return record
