"""Plain functions behind the practice views and the CLI: queries and scoring, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import or_
from sqlmodel import Session, select

from app.bank.service import latest_rubric_version, rubric_from_row
from app.models import Question, RubricVersion
from app.scoring import Rubric, ScoreReport, score


class QuestionNotFound(LookupError):
    def __init__(self, slug: str):
        super().__init__(f"no question with slug {slug!r} (run `coach init` to load the bank)")


@dataclass(frozen=True)
class QuestionFilters:
    type: str | None = None
    difficulty: str | None = None
    category: str | None = None
    company: str | None = None
    tag: str | None = None
    search: str | None = None
    page: int = 1


@dataclass(frozen=True)
class QuestionPage:
    items: list[Question]
    total: int
    page: int
    pages: int
    facets: dict[str, list[str]]  # the values each filter can take, for the filter form


def list_questions(session: Session, filters: QuestionFilters, per_page: int = 20) -> QuestionPage:
    """Questions matching the filters, one page of them, with the filter choices available."""
    everything = session.exec(select(Question).order_by(Question.title)).all()
    statement = select(Question).order_by(Question.title)
    for column, value in (
        (Question.type, filters.type),
        (Question.difficulty, filters.difficulty),
        (Question.category, filters.category),
    ):
        if value:
            statement = statement.where(column == value)
    if filters.search:
        pattern = f"%{filters.search.strip()}%"
        statement = statement.where(
            or_(Question.title.ilike(pattern), Question.prompt.ilike(pattern))  # type: ignore[attr-defined]
        )
    # Companies and tags are JSON lists; filtering them here keeps the SQL portable.
    matching = [
        q
        for q in session.exec(statement).all()
        if (not filters.company or filters.company in q.companies)
        and (not filters.tag or filters.tag in q.tags)
    ]
    pages = max(1, ceil(len(matching) / per_page))
    page = min(max(1, filters.page), pages)
    return QuestionPage(
        items=matching[(page - 1) * per_page : page * per_page],
        total=len(matching),
        page=page,
        pages=pages,
        facets={
            "type": sorted({q.type for q in everything if q.type}),
            "difficulty": [
                d for d in ("easy", "medium", "hard") if any(q.difficulty == d for q in everything)
            ],
            "category": sorted({q.category for q in everything if q.category}),
            "company": sorted({c for q in everything for c in q.companies}),
            "tag": sorted({t for q in everything for t in q.tags}),
        },
    )


def get_question(session: Session, slug: str) -> Question:
    question = session.exec(select(Question).where(Question.slug == slug)).first()
    if question is None:
        raise QuestionNotFound(slug)
    return question


_compiled: dict[tuple[str, int, str], Rubric] = {}


def current_rubric(session: Session, rubric_id: str) -> tuple[RubricVersion, Rubric]:
    """The newest version of a rubric, compiled once per version."""
    row = latest_rubric_version(session, rubric_id)
    if row is None:
        raise LookupError(f"no rubric {rubric_id!r} in the database (run `coach init`)")
    key = (row.rubric_id, row.version, row.content_hash)
    if key not in _compiled:
        _compiled[key] = rubric_from_row(row)
    return row, _compiled[key]


@dataclass(frozen=True)
class ScoredAnswer:
    question: Question
    rubric_version: RubricVersion
    report: ScoreReport


def score_answer(session: Session, slug: str, text: str) -> ScoredAnswer:
    """Score a text against the question's current rubric, without storing anything."""
    question = get_question(session, slug)
    row, rubric = current_rubric(session, question.rubric_id)
    return ScoredAnswer(question, row, score(rubric, text))
