"""Agreement between the scorer and human labels: used by the tests and by `make bench`."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from .engine import score
from .rubric import Rubric, load_rubric

SHIPPED_BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"
DETECTED_AT = 2  # a criterion counts as covered by the scorer from this level up


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    kind: str
    grade: int  # what a PM interviewer would give, 1..5
    covered: frozenset[str]  # criteria the interviewer credits
    text: str


@dataclass(frozen=True)
class EvalSet:
    question: str  # the slug of a shipped question
    rubric: Rubric
    answers: list[LabelledAnswer]
    asked: str | None = None  # the question's title and prompt, as the scorer is given them


@dataclass(frozen=True)
class Detection:
    precision: float
    recall: float
    support: int  # answers in which the interviewer credits the criterion


@dataclass(frozen=True)
class EvalResult:
    question: str
    overall: dict[str, int]  # answer id -> scorer's overall
    pairwise_accuracy: float
    spearman: float
    detection: dict[str, Detection]


def load_eval_set(path: Path) -> EvalSet:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    answers = [
        LabelledAnswer(a["id"], a["kind"], int(a["grade"]), frozenset(a["covered"]), a["text"])
        for a in data["answers"]
    ]
    return EvalSet(
        data["question"], load_rubric(data["rubric"]), answers, _shipped_question(data["question"])
    )


def _shipped_question(slug: str) -> str | None:
    for path in sorted(SHIPPED_BANK_DIR.glob("*.yaml")):
        for question in yaml.safe_load(path.read_text()).get("questions", []):
            if question.get("slug") == slug:
                return f"{question['title']}\n{question['prompt']}"
    return None


def pairwise_accuracy(grades: Sequence[float], scores: Sequence[float]) -> float:
    """Of the pairs a human ranks differently, the share the scorer orders the same way."""
    agree = total = 0
    for (g1, s1), (g2, s2) in combinations(zip(grades, scores, strict=True), 2):
        if g1 != g2:
            total += 1
            agree += (g1 - g2) * (s1 - s2) > 0
    return agree / total if total else 1.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1  # ties share their mean rank
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's on the ranks, ties averaged."""
    return statistics.correlation(_ranks(a), _ranks(b))


def evaluate(eval_set: EvalSet) -> EvalResult:
    reports = {a.id: score(eval_set.rubric, a.text, eval_set.asked) for a in eval_set.answers}
    grades = [a.grade for a in eval_set.answers]
    overall = [reports[a.id].overall for a in eval_set.answers]
    detection = {}
    for criterion in eval_set.rubric.criteria:
        cid = criterion.spec.id
        found = {
            a.id for a in eval_set.answers if reports[a.id].criterion(cid).score >= DETECTED_AT
        }
        truth = {a.id for a in eval_set.answers if cid in a.covered}
        hits = len(found & truth)
        detection[cid] = Detection(
            precision=hits / len(found) if found else 1.0,
            recall=hits / len(truth) if truth else 1.0,
            support=len(truth),
        )
    return EvalResult(
        question=eval_set.question,
        overall=dict(zip([a.id for a in eval_set.answers], overall, strict=True)),
        pairwise_accuracy=pairwise_accuracy(grades, overall),
        spearman=spearman(grades, overall),
        detection=detection,
    )
