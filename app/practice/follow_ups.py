"""Follow-up questions: after a scored answer, the question an interviewer asks next about its
weakest criterion, and the candidate's short reply, scored against that criterion alone.

The attempt's score of record never changes: the follow-up is stored beside it and shows the
criterion before and after. One follow-up per attempt; answering again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.bank.service import live_rubric_version, rubric_from_row
from app.feedback.service import latest_feedback
from app.models import FeedbackStatus, FollowUp, RubricVersion, utcnow
from app.scoring import question_as_asked
from pm_scoring import ENGINE_VERSION, score

from .services import AttemptResult, attempt_result, normalise_line_breaks
from .suggest import weakest_of

MAX_REPLY_CHARS = 2000  # a follow-up is answered in a few sentences, not a second essay


class FollowUpInvalid(ValueError):
    """The reply cannot be taken as it is; the message says why, for the reply's field."""


@dataclass(frozen=True)
class FollowUpOffer:
    """The follow-up offered for an attempt: which criterion, the question, and where it came
    from ("rubric": the rubric's own; "ai": tailored to the answer, grounded in `quote`)."""

    criterion_id: str
    criterion_title: str
    question: str
    source: str
    quote: str | None
    level_before: int


@dataclass(frozen=True)
class FollowUpState:
    offer: FollowUpOffer | None  # None when the rubric has no follow-ups (and no AI one came)
    answered: FollowUp | None  # the stored reply, once there is one
    before: dict[str, Any] | None  # the stored criterion it probes, as the attempt scored it


def follow_up_state(
    session: Session, user_id: int, attempt_id: int, result: AttemptResult | None = None
) -> FollowUpState:
    """What the result page shows: the stored follow-up, else the one on offer. Someone else's
    attempt raises AttemptNotFound (a 404), like every attempt lookup; `result` is the
    attempt's, when the caller has it already."""
    result = result or attempt_result(session, user_id, attempt_id)
    answered = stored_follow_up(session, attempt_id)
    if answered is not None:
        before = _stored_criterion(result, answered.criterion_id)
        return FollowUpState(None, answered, before)
    offer = offer_follow_up(session, user_id, result)
    before = _stored_criterion(result, offer.criterion_id) if offer else None
    return FollowUpState(offer, None, before)


def stored_follow_up(session: Session, attempt_id: int) -> FollowUp | None:
    """The attempt's follow-up: the first one stored, should two replies ever race."""
    return session.exec(
        select(FollowUp).where(FollowUp.attempt_id == attempt_id).order_by(FollowUp.id)  # type: ignore[arg-type]
    ).first()


def offer_follow_up(
    session: Session, user_id: int, result: AttemptResult, source: str | None = None
) -> FollowUpOffer | None:
    """The follow-up to offer: the AI's, tailored to the answer, when its feedback proposed a
    valid one (it was checked against the answer when the feedback was stored); otherwise the
    rubric's own for the weakest criterion (lowest level, ties to the higher weight) that has
    one. `source="rubric"` asks for the rubric's even when an AI one exists."""
    criteria = result.score.criteria
    if source != "rubric":
        tailored = _ai_follow_up(session, user_id, result)
        if tailored is not None:
            criterion = _stored_criterion(result, tailored["criterion"])
            if criterion is not None:
                return FollowUpOffer(
                    criterion["id"],
                    criterion["title"],
                    tailored["question"],
                    "ai",
                    tailored["quote"],
                    criterion["score"],
                )
    asked = _follow_ups_of(result.rubric)
    if not asked:  # scored before its rubric had follow-ups: the live version's, if any
        live = live_rubric_version(session, result.rubric.rubric_id)
        asked = _follow_ups_of(live) if live is not None else {}
    weakest = weakest_of([c for c in criteria if c["id"] in asked])
    if weakest is None:
        return None
    return FollowUpOffer(
        weakest["id"], weakest["title"], asked[weakest["id"]], "rubric", None, weakest["score"]
    )


def _follow_ups_of(version: RubricVersion) -> dict[str, str]:
    """The follow-up of each criterion of a rubric version that has one."""
    rubric = rubric_from_row(version)
    return {c.spec.id: c.spec.follow_up for c in rubric.criteria if c.spec.follow_up}


def answer_follow_up(
    session: Session, user_id: int, attempt_id: int, text: str, source: str | None = None
) -> tuple[FollowUp, bool]:
    """Score the reply against the offered criterion alone and store it with the attempt; the
    follow-up, and whether this reply made it. `source` is the offer the page showed ("rubric"
    or "ai"), so the stored question is the one the candidate read. An attempt already
    followed up keeps its stored follow-up."""
    result = attempt_result(session, user_id, attempt_id)
    existing = stored_follow_up(session, attempt_id)
    if existing is not None:
        return existing, False
    text = normalise_line_breaks(text or "").strip()
    if not text:
        raise FollowUpInvalid("Write your reply to the follow-up question before sending it.")
    if len(text) > MAX_REPLY_CHARS:
        raise FollowUpInvalid(
            f"Your reply is {len(text):,} characters; a follow-up takes at most "
            f"{MAX_REPLY_CHARS:,}. Keep it to the point, as you would out loud."
        )
    offer = offer_follow_up(session, user_id, result, source)
    if offer is None:
        raise FollowUpInvalid("This answer's rubric has no follow-up question to answer.")
    after = score_reply(result, offer.criterion_id, offer.question, text)
    row = FollowUp(
        attempt_id=attempt_id,
        criterion_id=offer.criterion_id,
        question=offer.question,
        source=offer.source,
        quote=offer.quote,
        level_before=offer.level_before,
        answer_text=text,
        level_after=after["score"],
        report=after,
        engine_version=ENGINE_VERSION,
        answered_at=utcnow(),
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # one follow-up per attempt: a reply that raced this one won
        session.rollback()
        return stored_follow_up(session, attempt_id), False  # type: ignore[return-value]
    return row, True


def score_reply(result: AttemptResult, criterion_id: str, asked: str, text: str) -> dict[str, Any]:
    """The reply's result on one criterion: scored by the attempt's own rubric version, of
    which only that criterion is kept. The whole rubric scores it, not a one-criterion copy,
    because the rubric's vocabulary decides what counts as a concrete detail: cut down, it would
    raise levels, and the level after could not be set beside the level before."""
    rubric = rubric_from_row(result.rubric)
    question = result.question
    with_follow_up = question_as_asked(question.title, f"{question.prompt}\n{asked}")
    report = score(rubric, text, with_follow_up, question.hints, question.model_answer)
    return next(c for c in report.to_dict()["criteria"] if c["id"] == criterion_id)


def _ai_follow_up(session: Session, user_id: int, result: AttemptResult) -> dict[str, str] | None:
    feedback = latest_feedback(session, user_id, result.attempt.id)
    if feedback is None or feedback.status != FeedbackStatus.OK or not feedback.content:
        return None
    return feedback.content.get("follow_up")


def _stored_criterion(result: AttemptResult, criterion_id: str) -> dict[str, Any] | None:
    return next((c for c in result.score.criteria if c["id"] == criterion_id), None)
