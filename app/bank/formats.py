"""The question-bank file format (docs/formats.md): YAML or JSON with a `questions:` list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pm_scoring.sourcefile import Document, Problem, SourceError, read_each, validate

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class QuestionType(StrEnum):
    BEHAVIORAL = "behavioral"
    SITUATIONAL = "situational"
    PRODUCT_DESIGN = "product-design"
    METRICS = "metrics"
    ESTIMATION = "estimation"
    STRATEGY = "strategy"
    EXECUTION = "execution"
    TECHNICAL = "technical"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    prompt: Text
    rubric: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    type: QuestionType | None = None
    difficulty: Difficulty | None = None
    companies: list[Tag] = []
    tags: list[Tag] = []
    time_limit_minutes: int | None = Field(default=None, ge=1, le=120)
    hints: list[Text] = []
    model_answer: Text | None = None
    answer_template: Text | None = None


class BankSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[QuestionSpec]


@dataclass(frozen=True)
class LoadedQuestion:
    """A validated question and where it came from, so later checks can point at its line."""

    spec: QuestionSpec
    file: str
    line: int | None

    def problem(self, field: str, message: str) -> Problem:
        return Problem(self.file, self.line, field, message)


def questions_from_document(document: Document) -> list[LoadedQuestion]:
    if not isinstance(document.data, dict) or "questions" not in document.data:
        raise SourceError([Problem(document.file, 1, "questions", "a bank needs a top-level list")])
    bank = validate(BankSpec, document)
    return [
        LoadedQuestion(q, document.file, document.line_of(("questions", i)))
        for i, q in enumerate(bank.questions)
    ]


def read_banks(paths: Iterable[str | Path]) -> list[LoadedQuestion]:
    """Read every file, collecting all problems; duplicate slugs across files are problems too."""
    loaded, problems = read_each(paths, questions_from_document)
    first_seen: dict[str, LoadedQuestion] = {}
    for question in loaded:
        earlier = first_seen.setdefault(question.spec.slug, question)
        if earlier is not question:
            where = f"{earlier.file}:{earlier.line}"
            problems.append(question.problem("slug", f"duplicate slug (also at {where})"))
    if problems:
        raise SourceError(problems)
    return loaded


def bank_to_dict(questions: Iterable[QuestionSpec]) -> dict[str, Any]:
    """The export format: exactly what `read_banks` accepts back."""
    return {"questions": [q.model_dump(mode="json", exclude_none=True) for q in questions]}
