"""A candidate's progress: scores over time, averages per criterion, what to practise next."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from app.models import Attempt, AttemptStatus, Question, Score

from .services import best_scores, submitted_history


@dataclass(frozen=True)
class CriterionAverage:
    rubric_id: str
    id: str
    title: str
    average: float  # 0..4
    attempts: int


@dataclass(frozen=True)
class Suggestion:
    question: Question
    reason: str


@dataclass(frozen=True)
class Progress:
    timeline: list[dict]  # {"date", "overall", "question", "attempt_id", "rubric", "new_version"}
    criteria: list[CriterionAverage]  # weakest first
    suggestions: list[Suggestion]


def progress_for(session: Session, user_id: int, suggestions: int = 3) -> Progress:
    history = submitted_history(session, user_id)
    timeline = []
    last_version: dict[str, str] = {}  # rubric id -> the version of its latest point so far
    for row in history:
        rubric_id = row.rubric_version.rsplit(" v", 1)[0]
        timeline.append(
            {
                "date": row.attempt.submitted_at.strftime("%Y-%m-%d %H:%M"),
                "overall": row.overall,
                "question": row.question.title,
                "attempt_id": row.attempt.id,
                "rubric": row.rubric_version,
                # Scores from two versions of a rubric are not alike: the chart marks the
                # first score under a new version, never mixing them silently.
                "new_version": rubric_id in last_version
                and last_version[rubric_id] != row.rubric_version,
            }
        )
        last_version[rubric_id] = row.rubric_version
    scored = session.exec(
        select(Score.criteria, Question.rubric_id)
        .join(Attempt, Attempt.id == Score.attempt_id)  # type: ignore[arg-type]
        .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
        .where(Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED)
    ).all()
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    titles: dict[tuple[str, str], str] = {}
    for criteria, rubric_id in scored:
        for criterion in criteria:
            key = (rubric_id, criterion["id"])
            levels[key].append(criterion["score"])
            titles[key] = criterion["title"]
    averages = sorted(
        (
            CriterionAverage(rubric, cid, titles[(rubric, cid)], sum(v) / len(v), len(v))
            for (rubric, cid), v in levels.items()
        ),
        key=lambda c: (c.average, c.rubric_id, c.id),
    )
    return Progress(timeline, averages, _suggest(session, user_id, averages, suggestions))


def _suggest(
    session: Session, user_id: int, averages: list[CriterionAverage], limit: int
) -> list[Suggestion]:
    """Questions scored by the rubric of each weak criterion, unattempted or lowest-scored first."""
    best = best_scores(session, user_id)
    picked: list[Suggestion] = []
    seen: set[int] = set()
    for weak in (c for c in averages if c.average < 3):
        candidates = session.exec(
            select(Question).where(Question.rubric_id == weak.rubric_id).order_by(Question.title)
        ).all()
        ranked = sorted(
            (q for q in candidates if q.id not in seen), key=lambda q: best.get(q.id, -1)
        )
        if ranked:
            question = ranked[0]
            seen.add(question.id)
            picked.append(
                Suggestion(question, f"Work on “{weak.title}” (average {weak.average:.1f} of 4).")
            )
        if len(picked) >= limit:
            break
    return picked
