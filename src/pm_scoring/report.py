"""The score report: plain data, serialisable, the same for the same text and rubric version."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

MAX_LEVEL = 4


def criterion_share(score: int, points: float, full_marks_at: float, has_concepts: bool) -> float:
    """The share of its weight a criterion gives the overall: its points against full marks, or,
    with no concept found (a cue alone, or a score stored before engine 2.0), its level."""
    if not has_concepts:
        return score / MAX_LEVEL
    return min(1.0, points / full_marks_at)


@dataclass(frozen=True)
class ConceptFound:
    """One concept the answer shows, where, and why it counted."""

    id: str
    # "phrase" (a phrase of the rubric), "meaning" (close to one of its example sentences) or
    # "model answer" (close to a sentence of the question's model answer)
    how: str
    evidence: list[tuple[int, int]]  # the character span of the sentence that shows it best
    specifics: list[str]  # what stands behind it: "a number or time", "who does it"...
    points: float  # 0.5 for a bare mention, 1 with one kind of specifics, 1.5 with more
    reaches_level: int = (
        0  # done well: the level it reaches on its own (the rubric's `one_done_well`)
    )
    planned: bool = False  # told only as a plan ("I would"), where the rubric wants what happened


@dataclass(frozen=True)
class CriterionResult:
    id: str
    title: str
    weight: float
    score: int  # 0..MAX_LEVEL, on the rubric's anchored levels
    level: str  # the anchored descriptor at or below the score
    evidence: list[tuple[int, int]]  # character spans of the sentences that earned the score
    concepts_found: list[str]
    concepts_missing: list[str]
    tip: str | None  # what to add; None at full marks
    max: int = MAX_LEVEL
    concepts: list[ConceptFound] = field(default_factory=list)
    points: float = 0.0  # concept points (weighted), cue points included
    full_marks_at: float = 3.0  # the points that reach the top level


@dataclass(frozen=True)
class Flag:
    id: str
    title: str
    message: str
    penalty: float = 0
    evidence: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreReport:
    rubric_id: str
    rubric_version: int
    engine_version: str
    overall: int  # 0..100
    criteria: list[CriterionResult]
    flags: list[Flag]
    word_count: int  # words in the answer as written
    counted_words: int  # words left after dropping repeats, stuffing and notes to the grader
    weighted: int = 0  # the criteria's levels, weighted, out of 100: before penalties and caps

    def criterion(self, criterion_id: str) -> CriterionResult:
        return next(c for c in self.criteria if c.id == criterion_id)

    @property
    def flag_ids(self) -> list[str]:
        return [f.id for f in self.flags]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data. (dataclasses.asdict deep-copies recursively and is slow.)"""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["criteria"] = [_plain(c) for c in self.criteria]
        data["flags"] = [_plain(f) for f in self.flags]
        return data


def _plain(item: CriterionResult | Flag | ConceptFound) -> dict[str, Any]:
    data = {f.name: getattr(item, f.name) for f in fields(item)}
    data["evidence"] = [list(span) for span in item.evidence]
    if isinstance(item, CriterionResult):
        data["concepts"] = [_plain(c) for c in item.concepts]
    for key in ("concepts_found", "concepts_missing"):
        if key in data:
            data[key] = list(data[key])
    return data
