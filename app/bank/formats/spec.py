"""What a question is, whatever file it came from: the validated `QuestionSpec`, and the few rules
every format shares (slugs made from titles, the old free-text `category` folded into the one
taxonomy)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pm_scoring.sourcefile import Problem

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 100
TAG_MAX = 40
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=SLUG_MAX)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TAG_MAX)]
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


def readable(value: str | None) -> str:
    """A type or difficulty as people read it: "product-design" is "Product design"."""
    return (value or "").replace("-", " ").capitalize()


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    prompt: Text
    rubric: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
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


def bank_to_dict(questions: Iterable[QuestionSpec]) -> dict[str, Any]:
    """The YAML/JSON export: exactly what `read_bank` accepts back."""
    return {"questions": [q.model_dump(mode="json", exclude_none=True) for q in questions]}


def slugify(text: str) -> str:
    """A slug from free text ("Design a fridge!" -> "design-a-fridge"), or "" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


_TYPE_ALIASES = {
    "behavioural": "behavioral",
    "design": "product-design",
}


def type_named(name: str) -> QuestionType | None:
    """The question type a category names ("Product Design", "Behavioural"), if it names one."""
    slug = slugify(name)
    slug = _TYPE_ALIASES.get(slug, slug)
    try:
        return QuestionType(slug)
    except ValueError:
        return None


def fold_categories(fields: dict[str, Any], categories: Sequence[Any]) -> None:
    """Fold category names into the one taxonomy, in place: the first one naming a type fills an
    empty `type`; a name repeating the type is dropped; any other name becomes a tag.

    Every format goes through here: the `category:` field of older YAML, JSON and CSV files, and
    the category paths of Moodle XML and GIFT."""
    tags = fields.get("tags")
    if tags is None:
        tags = []
    elif not isinstance(tags, list):
        return  # the wrong type: validation reports it, with the category left out
    tags = list(tags)
    for category in categories:
        if not isinstance(category, str) or not category.strip():
            continue
        named = type_named(category)
        current = fields.get("type")
        if named is not None and current in (None, ""):
            fields["type"] = named.value
        elif named is not None and isinstance(current, str) and type_named(current) == named:
            continue
        else:
            tag = category.strip()[:TAG_MAX].strip()
            if tag not in tags:
                tags.append(tag)
    if tags:
        fields["tags"] = tags
