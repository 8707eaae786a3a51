"""Admins' question editing: create, edit, retire and restore one question at a time.

Every write is validated by `QuestionSpec`, so the editor accepts exactly what a bank file
accepts, and goes through `sync_labels`, so the companies and tags filters never go stale."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from math import ceil
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.errors import FieldError
from app.models import Question, RubricStatus, RubricVersion, utcnow
from app.scoring import SCORED_FIELDS

from .formats import QuestionSpec, slugify
from .service import live_rubric_version, sync_labels

# The spec's fields stored in columns of the same name (`rubric` is `rubric_id`; `slug` is fixed).
_STORED_FIELDS = tuple(name for name in QuestionSpec.model_fields if name not in ("slug", "rubric"))


class QuestionInvalid(ValueError):
    """Every problem with an edit, each naming its field (the `QuestionSpec` field names)."""

    def __init__(self, problems: list[FieldError]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p}" for p in problems))

    def by_field(self) -> dict[str, list[str]]:
        messages: dict[str, list[str]] = {}
        for problem in self.problems:
            messages.setdefault(problem.field, []).append(str(problem))
        return messages


class QuestionChanged(RuntimeError):
    """The question was saved by someone else after the editor loaded it."""


class NoSuchQuestion(LookupError):
    pass


class QuestionStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    ALL = "all"


@dataclass(frozen=True)
class AdminQuestionPage:
    items: list[Question]
    total: int
    page: int
    pages: int


def list_admin_questions(
    session: Session,
    search: str = "",
    status: QuestionStatus = QuestionStatus.ALL,
    page: int = 1,
    per_page: int = 20,
) -> AdminQuestionPage:
    """One page of questions by title, retired ones included unless filtered out; the search
    matches title or slug ("%" and "_" are searched for as typed)."""
    conditions = []
    if term := search.strip():
        conditions.append(
            or_(
                Question.title.icontains(term, autoescape=True),  # type: ignore[attr-defined]
                Question.slug.icontains(term, autoescape=True),  # type: ignore[attr-defined]
            )
        )
    if status == QuestionStatus.ACTIVE:
        conditions.append(Question.retired_at.is_(None))  # type: ignore[union-attr]
    elif status == QuestionStatus.RETIRED:
        conditions.append(Question.retired_at.is_not(None))  # type: ignore[union-attr]
    total = session.exec(select(func.count()).select_from(Question).where(*conditions)).one()
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    items = session.exec(
        select(Question)
        .where(*conditions)
        .order_by(Question.title, Question.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AdminQuestionPage(items=list(items), total=total, page=page, pages=pages)


def get_question_by_id(session: Session, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        raise NoSuchQuestion(question_id)
    return question


def rubric_choices(session: Session) -> list[tuple[str, str]]:
    """(rubric id, title) of every rubric with a published version: the ones a question can
    be scored against."""
    rows = session.exec(
        select(RubricVersion.rubric_id, RubricVersion.title, RubricVersion.version)
        .where(RubricVersion.status == RubricStatus.PUBLISHED)
        .order_by(RubricVersion.rubric_id, RubricVersion.version)
    ).all()
    return list({rubric_id: title for rubric_id, title, _ in rows}.items())  # highest wins


def revision_of(question: Question) -> str:
    """The question's `updated_at` as the editor carries it: a save based on another is refused."""
    stamp = question.updated_at
    if stamp.tzinfo is not None:  # as set in this process; the database gives it back naive
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.isoformat(timespec="microseconds")


def create_question(
    session: Session, values: Mapping[str, Any], author_id: int | None = None
) -> Question:
    """A new question from `values` (as a bank file holds them; a blank slug is made from the
    title). Raises QuestionInvalid with every problem found."""
    values = dict(values)
    made = not values.get("slug")
    if made:
        values["slug"] = slugify(str(values.get("title") or ""))
    spec, problems = _validate(session, values)
    if made and not values["slug"]:
        problems = [p for p in problems if p.field != "slug"]
        problems.append(FieldError("slug", "Type a slug, or a title to make one from."))
    if spec is not None and _slug_taken(session, spec.slug):
        made_from = " (made from the title)" if made else ""
        problems.append(FieldError("slug", f"{spec.slug!r}{made_from} is taken: type another."))
    if spec is None or problems:
        raise QuestionInvalid(problems)
    question = Question(
        slug=spec.slug,
        rubric_id=spec.rubric,
        rubric_assigned_by=author_id,
        **{name: getattr(spec, name) for name in _STORED_FIELDS},
    )
    session.add(question)
    try:
        session.flush()
    except IntegrityError as error:  # the same slug, created a moment ago in another request
        session.rollback()
        taken = FieldError("slug", f"{spec.slug!r} is taken: type another.")
        raise QuestionInvalid([taken]) from error
    sync_labels(session, question)
    session.commit()
    return question


def update_question(
    session: Session,
    question_id: int,
    values: Mapping[str, Any],
    loaded_revision: str,
    author_id: int | None = None,
) -> Question:
    """Save the editor's `values` (the slug never changes) unless the question was saved since
    the editor loaded `loaded_revision`: then QuestionChanged, and nothing is written."""
    question = get_question_by_id(session, question_id)
    if revision_of(question) != loaded_revision:
        raise QuestionChanged(question_id)
    spec, problems = _validate(session, {**values, "slug": question.slug})
    if spec is None or problems:
        raise QuestionInvalid(problems)
    now = utcnow()
    # Claim the version the editor saw, in the database: of two saves at once, one wins.
    claimed = session.execute(
        update(Question)
        .where(Question.id == question_id, Question.updated_at == question.updated_at)
        .values(updated_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise QuestionChanged(question_id)
    if any(getattr(question, name) != getattr(spec, name) for name in SCORED_FIELDS):
        question.version += 1
    for name in _STORED_FIELDS:
        setattr(question, name, getattr(spec, name))
    if spec.rubric != question.rubric_id:
        question.rubric_id, question.rubric_assigned_by = spec.rubric, author_id
    question.updated_at = now
    sync_labels(session, question)
    session.commit()
    return question


def retire_question(session: Session, question_id: int) -> Question:
    """Take a question out of browsing; its attempts and scores stay as they are."""
    question = get_question_by_id(session, question_id)
    if question.retired_at is None:
        question.retired_at = utcnow()
        session.commit()
    return question


def restore_question(session: Session, question_id: int) -> Question:
    question = get_question_by_id(session, question_id)
    if question.retired_at is not None:
        question.retired_at = None
        session.commit()
    return question


def _validate(
    session: Session, values: Mapping[str, Any]
) -> tuple[QuestionSpec | None, list[FieldError]]:
    """The spec, or the problems `QuestionSpec` finds; then whether the rubric can score."""
    fields = {name: values.get(name) for name in QuestionSpec.model_fields}
    data = {name: value for name, value in fields.items() if value is not None}
    spec: QuestionSpec | None = None
    problems: list[FieldError] = []
    try:
        spec = QuestionSpec.model_validate(data)
    except ValidationError as error:
        problems = [_field_error(detail) for detail in error.errors()]
    if not any(problem.field == "rubric" for problem in problems):
        problems += _rubric_problems(session, data.get("rubric"))
    return spec, problems


def _rubric_problems(session: Session, rubric_id: object) -> list[FieldError]:
    if not isinstance(rubric_id, str) or not rubric_id:
        return []
    if live_rubric_version(session, rubric_id, with_content=False) is None:
        return [FieldError("rubric", f"Unknown rubric {rubric_id!r}: choose a published one.")]
    return []


_MESSAGES = {
    "missing": lambda d: "Required.",
    "string_too_short": lambda d: "Required." if d["ctx"]["min_length"] == 1 else None,
    "string_too_long": lambda d: f"At most {d['ctx']['max_length']} characters.",
    "string_pattern_mismatch": lambda d: (
        "Required."
        if d["input"] == ""
        else "Lowercase letters, digits and single hyphens only (like design-a-parking-app)."
    ),
    "greater_than_equal": lambda d: f"At least {d['ctx']['ge']}.",
    "less_than_equal": lambda d: f"At most {d['ctx']['le']}.",
    "int_parsing": lambda d: "A whole number.",
    "int_from_float": lambda d: "A whole number.",
    "enum": lambda d: "Choose one of the listed values.",
}


def _field_error(detail: ErrorDetails) -> FieldError:
    """A pydantic error as a message for the field's label to introduce."""
    field, *item = detail["loc"]
    plain = _MESSAGES.get(detail["type"], lambda d: None)(detail) or detail["msg"] + "."
    if item:  # one of a list's items: name it
        plain = f"{detail['input']!r}: {plain}"
    return FieldError(str(field), plain)


def _slug_taken(session: Session, slug: str) -> bool:
    return session.exec(select(Question.id).where(Question.slug == slug)).first() is not None
