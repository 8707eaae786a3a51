"""What to practise next: one question aimed at a weak criterion, with the reason in a line.

The rule is short enough to say to a candidate: take the weakest criterion (of one attempt, or
on average over the latest answers), then a question the candidate has not answered lately
(never answered first, then the easiest) scored by the same rubric, else by a rubric with a
criterion of the same id ("metrics", "communication", "tradeoffs" recur across rubrics). A new
candidate gets an easy first question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from app.models import Attempt, AttemptStatus, Question, RubricStatus, RubricVersion, Score

RECENT_ANSWERS = 10  # the candidate's latest submitted answers: what "answered lately" means
DIFFICULTIES = ("easy", "medium", "hard")  # the order questions are offered in


@dataclass(frozen=True)
class WeakCriterion:
    """A criterion to work on: the rubric it belongs to, its id and title, and its level
    (0-4; an average when it comes from several answers)."""

    rubric_id: str
    id: str
    title: str
    level: float


@dataclass(frozen=True)
class Suggestion:
    question: Question
    reason: str  # one line, for the candidate: why this question
    criterion: WeakCriterion | None = None


def weakest_of(criteria: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The weakest criterion of one score: the lowest level, ties going to the higher weight
    (it costs the most), then to the first in the rubric."""
    return min(criteria, key=lambda c: (c["score"], -float(c["weight"])), default=None)


def weak_criterion_of(rubric_id: str, criteria: Sequence[dict[str, Any]]) -> WeakCriterion | None:
    weakest = weakest_of(criteria)
    if weakest is None:
        return None
    return WeakCriterion(rubric_id, weakest["id"], weakest["title"], float(weakest["score"]))


def weakest_recent(session: Session, user_id: int) -> WeakCriterion | None:
    """The candidate's weakest criterion over their latest answers: the lowest average level,
    ties going to the higher weight; None before their first answer."""
    rows = session.exec(
        select(Score.criteria, RubricVersion.rubric_id)
        .join(Attempt, Attempt.id == Score.attempt_id)  # type: ignore[arg-type]
        .join(RubricVersion, RubricVersion.id == Score.rubric_version_id)  # type: ignore[arg-type]
        .where(Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED)
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())  # type: ignore[union-attr]
        .limit(RECENT_ANSWERS)
    ).all()
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    about: dict[tuple[str, str], tuple[str, float]] = {}
    for criteria, rubric_id in rows:
        for criterion in criteria:
            key = (rubric_id, criterion["id"])
            levels[key].append(criterion["score"])
            about.setdefault(key, (criterion["title"], float(criterion["weight"])))
    if not levels:
        return None
    (rubric_id, criterion_id), scores = min(
        levels.items(),
        key=lambda item: (sum(item[1]) / len(item[1]), -about[item[0]][1], item[0]),
    )
    return WeakCriterion(
        rubric_id, criterion_id, about[(rubric_id, criterion_id)][0], _mean(scores)
    )


def next_question(
    session: Session,
    user_id: int,
    weak_criterion: WeakCriterion | None = None,
    exclude: Collection[int] = (),
) -> Suggestion | None:
    """The question to practise next, and why, never one of `exclude` (the question just answered,
    or an interview's). With no `weak_criterion`, the weakest over the candidate's latest
    answers; a candidate with no answers gets an easy first question. None when the bank has
    nothing else to offer."""
    from_one_answer = weak_criterion is not None
    weak = weak_criterion or weakest_recent(session, user_id)
    recent = _recent_question_ids(session, user_id)
    recent |= set(exclude)
    if weak is None:
        question = _first_question(session, None, recent)
        if question is None:
            return None
        return Suggestion(question, "A good first question: start here, then see how it scores.")
    where = "in this answer" if from_one_answer else "across your latest answers"
    level = f"{weak.level:g}" if weak.level == int(weak.level) else f"{weak.level:.1f}"
    aim = f"Works on “{weak.title}”, your weakest criterion {where} ({level} of 4)"
    alike = _rubrics_with_criterion(session, weak.id, besides=weak.rubric_id)
    for avoid in (recent, set(exclude)):
        question = _first_question(session, [weak.rubric_id], avoid, user_id)
        if question is not None:
            return Suggestion(question, f"{aim}: it is scored by the same rubric.", weak)
        question = _first_question(session, list(alike), avoid, user_id) if alike else None
        if question is not None:
            title = alike[question.rubric_id]
            reason = f"{aim}: its rubric scores the same skill, as “{title}”."
            return Suggestion(question, reason, weak)
    question = _first_question(session, None, recent, user_id)
    if question is None:
        return None
    return Suggestion(question, "Something new: a question you have not answered lately.")


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values)


def _recent_question_ids(session: Session, user_id: int) -> set[int]:
    rows = session.exec(
        select(Attempt.question_id)
        .where(Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED)
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())  # type: ignore[union-attr]
        .limit(RECENT_ANSWERS)
    ).all()
    return set(rows)


def _rubrics_with_criterion(session: Session, criterion_id: str, besides: str) -> dict[str, str]:
    """The rubrics whose live version has a criterion with this id (other than `besides`), with
    that criterion's title there."""
    rows = session.exec(
        select(RubricVersion.rubric_id, RubricVersion.version, RubricVersion.content)
        .where(RubricVersion.status == RubricStatus.PUBLISHED, RubricVersion.rubric_id != besides)
        .order_by(RubricVersion.rubric_id, RubricVersion.version.desc())  # type: ignore[attr-defined]
    ).all()
    live: dict[str, dict[str, Any]] = {}
    for rubric_id, _version, content in rows:
        live.setdefault(rubric_id, content)  # the highest published version comes first
    return {
        rubric_id: criterion.get("title") or criterion_id
        for rubric_id, content in sorted(live.items())
        for criterion in content.get("criteria", [])
        if criterion.get("id") == criterion_id
    }


def _first_question(
    session: Session,
    rubric_ids: Iterable[str] | None,
    avoid: set[int],
    user_id: int | None = None,
) -> Question | None:
    """The first live question (of these rubrics, if given) not in `avoid`: never answered by
    the candidate first, then the easiest (easy, medium, hard, then any other or none), then by
    title. Each step is a query that walks the difficulty-and-title index to its first match,
    so the cost does not grow with the bank."""
    statement = select(Question).where(Question.retired_at.is_(None))  # type: ignore[union-attr]
    rubric_ids = list(rubric_ids or [])
    if rubric_ids:
        statement = statement.where(Question.rubric_id.in_(rubric_ids))  # type: ignore[attr-defined]
    if avoid:
        statement = statement.where(Question.id.not_in(avoid))  # type: ignore[union-attr]
    passes = [statement]
    if user_id is not None:
        answered = (
            select(Attempt.id)
            .where(
                Attempt.question_id == Question.id,
                Attempt.user_id == user_id,
                Attempt.status == AttemptStatus.SUBMITTED,
            )
            .exists()
        )
        passes = [statement.where(~answered), statement.where(answered)]
    unranked = or_(
        Question.difficulty.is_(None),  # type: ignore[union-attr]
        Question.difficulty.not_in(DIFFICULTIES),  # type: ignore[union-attr]
    )
    for candidates in passes:
        for tier in (*(Question.difficulty == d for d in DIFFICULTIES), unranked):
            ordered = candidates.where(tier).order_by(Question.title, Question.id)
            question = session.exec(ordered.limit(1)).first()
            if question is not None:
                return question
    return None
