"""What the home page shows: how scoring works, with a real sample result, and for a signed-in
candidate the draft to continue, their latest scores and what to practise next."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.models import Attempt, AttemptStatus, Question

from .services import (
    HistoryRow,
    QuestionNotFound,
    current_rubric,
    get_question,
    home_summary,
    score_for_question,
    submitted_history,
)
from .suggest import Suggestion, next_question

RECENT_SCORES = 5
SAMPLE_SLUG = "worldwide-outage"
# A short answer, strong in places and thin in others: the sample shows high and low levels,
# tips, and what a short answer costs.
SAMPLE_ANSWER = (
    "First I would ask which product is down, since when, and which regions are hit. I would "
    "roll back the release we shipped an hour earlier, so service comes back within thirty "
    "minutes, and open an incident channel with the on-call engineers and support. We would post "
    "on the status page every 30 minutes and apologise. Afterwards we would hold a blameless "
    "postmortem, and add a canary rollout so the next bad release reaches one market first."
)


@dataclass(frozen=True)
class SampleCriterion:
    title: str
    score: int
    max: int
    tip: str | None


@dataclass(frozen=True)
class SampleResult:
    """The engine's real report on SAMPLE_ANSWER, worked out once per rubric version."""

    question: Question
    answer: str
    rubric: str  # "incident-response v3"
    overall: int
    criteria: list[SampleCriterion]
    flags: list[str]


@dataclass(frozen=True)
class Draft:
    attempt: Attempt
    question: Question

    @property
    def words(self) -> int:
        return len(self.attempt.answer_text.split())


@dataclass(frozen=True)
class Home:
    total: int  # live questions
    types: list[str]
    sample: SampleResult | None
    draft: Draft | None = None
    recent: list[HistoryRow] = field(default_factory=list)  # newest first
    suggestion: Suggestion | None = None


_samples: dict[tuple[str, str, int], SampleResult] = {}
_samples_lock = threading.Lock()


def sample_result(session: Session) -> SampleResult | None:
    """The sample answer scored by the engine against the shipped question's live rubric; kept
    in this process per rubric version (scoring is deterministic). None without the question."""
    try:
        question = get_question(session, SAMPLE_SLUG)
        row, rubric = current_rubric(session, question.rubric_id)
    except (QuestionNotFound, LookupError):
        return None
    key = (SAMPLE_SLUG, row.rubric_id, row.version)
    with _samples_lock:
        if key not in _samples:
            report = score_for_question(question, row, rubric, SAMPLE_ANSWER).report
            _samples[key] = SampleResult(
                question,
                SAMPLE_ANSWER,
                f"{row.rubric_id} v{row.version}",
                report.overall,
                [SampleCriterion(c.title, c.score, c.max, c.tip) for c in report.criteria],
                [f.title for f in report.flags],
            )
        return _samples[key]


def latest_draft(session: Session, user_id: int) -> Draft | None:
    """The candidate's most recently saved draft of a question still taking answers."""
    row = session.exec(
        select(Attempt, Question)
        .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
        .where(
            Attempt.user_id == user_id,
            Attempt.status == AttemptStatus.DRAFT,
            Question.retired_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Attempt.updated_at.desc(), Attempt.id.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    return Draft(*row) if row else None


def home_for(session: Session, user_id: int | None) -> Home:
    total, types = home_summary(session)
    sample = sample_result(session)
    if user_id is None:
        return Home(total, types, sample)
    recent = submitted_history(session, user_id)[-RECENT_SCORES:][::-1]
    return Home(
        total,
        types,
        sample,
        draft=latest_draft(session, user_id),
        recent=recent,
        suggestion=next_question(session, user_id),
    )
