"""Scoring an answer against its question's live rubric, with nothing of the web app loaded.

`coach score` runs once per answer from scripts, and importing the models and the web parts would
be most of its time (docs/benchmarks.md). So the two rows it needs are read here with SQLAlchemy
Core, naming only the columns it reads; the web scores with the same `score_for_question`, on the
ORM's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Integer, column, select, table

from pm_scoring import Rubric, ScoreReport, parse_rubric, score

_QUESTIONS = table(
    "questions",
    column("slug"),
    column("title"),
    column("prompt"),
    column("hints", JSON),
    column("model_answer"),
    column("rubric_id"),
    column("version", Integer),
)
_RUBRIC_VERSIONS = table(
    "rubric_versions",
    column("rubric_id"),
    column("version", Integer),
    column("status"),
    column("content", JSON),
)
_PUBLISHED = "published"  # models.RubricStatus.PUBLISHED: the highest published version is live


class QuestionNotFound(LookupError):
    def __init__(self, slug: str):
        super().__init__(f"no question with slug {slug!r} (run `coach init` to load the bank)")


# What the scorer reads of a question (see `question_report`): changing any of them makes a new
# version of the question, which every score records.
SCORED_FIELDS = ("title", "prompt", "hints", "model_answer")


def question_as_asked(title: str, prompt: str) -> str:
    """The question as the scorer reads it, to check that an answer names its subject."""
    return f"{title}\n{prompt}"


@dataclass(frozen=True)
class ScoredAnswer:
    question: Any  # a Question, or a row with its slug, title, prompt and hints
    rubric_version: Any  # a RubricVersion, or a row with its rubric_id and version
    report: ScoreReport


def question_report(rubric: Rubric, text: str, question: Any) -> ScoreReport:
    """An answer's report against its question: a Question, or a row with its title, prompt,
    hints and model answer (which lends the rubric examples of what its concepts mean here)."""
    asked = question_as_asked(question.title, question.prompt)
    return score(rubric, text, asked, question.hints, question.model_answer)


def score_for_question(question: Any, rubric_row: Any, rubric: Rubric, text: str) -> ScoredAnswer:
    return ScoredAnswer(question, rubric_row, question_report(rubric, text, question))


def read_question(connection: Connection, slug: str) -> Any:
    """The question with this slug, retired or not."""
    row = connection.execute(select(_QUESTIONS).where(_QUESTIONS.c.slug == slug)).first()
    if row is None:
        raise QuestionNotFound(slug)
    return row


def read_questions(connection: Connection) -> list[Any]:
    return list(connection.execute(select(_QUESTIONS).order_by(_QUESTIONS.c.slug)).all())


def read_live_rubric(connection: Connection, rubric_id: str) -> tuple[Any, Rubric]:
    """The live version of a rubric (the highest published), and the rubric it holds."""
    versions = _RUBRIC_VERSIONS.c
    row = connection.execute(
        select(_RUBRIC_VERSIONS)
        .where(versions.rubric_id == rubric_id, versions.status == _PUBLISHED)
        .order_by(versions.version.desc())
        .limit(1)
    ).first()
    if row is None:
        raise LookupError(f"no rubric {rubric_id!r} in the database (run `coach init`)")
    return row, parse_rubric(row.content, f"{row.rubric_id} v{row.version}")
