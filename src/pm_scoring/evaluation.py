"""Agreement between the scorer and human labels: used by the tests and by `make bench`."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from .engine import OFF_TOPIC_CAP, score
from .report import ScoreReport, criterion_share
from .rubric import SHIPPED_BANK_DIR, Rubric, load_rubric

DETECTED_AT = 2  # a criterion counts as covered by the scorer from this level up


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    kind: str
    grade: int  # what a PM interviewer would give, 1..5
    covered: frozenset[str]  # criteria the interviewer credits
    text: str
    trick: str = "none"  # how a gaming attempt games: filler, checklist, padded... (corpus sets)
    twin: str | None = None  # the same substance in other words (rubric words, or plain words)
    base: str | None = None  # the genuine answer a padded one pads
    second_grade: int | None = None  # a second blind grader's grade, where one was asked

    @property
    def gaming(self) -> bool:
        return self.kind in {"gamed", "off-topic"} or self.trick not in {"none", ""}


@dataclass(frozen=True)
class EvalSet:
    question: str  # the slug of a shipped question
    rubric: Rubric
    answers: list[LabelledAnswer]
    asked: str | None = None  # the question's title and prompt, as the scorer is given them
    hints: tuple[str, ...] = ()  # the hints the question shows the candidate
    model_answer: str | None = None  # the question's model answer, which lends its examples


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
        LabelledAnswer(
            a["id"],
            a["kind"],
            int(a["grade"]),
            frozenset(a.get("covered", ())),  # criteria the interviewer credits, where labelled
            a["text"],
            a.get("trick", "none"),
            a.get("twin"),
            a.get("base"),
            a.get("second_grade"),
        )
        for a in data["answers"]
    ]
    return EvalSet(
        data["question"], load_rubric(data["rubric"]), answers, *shipped_question(data["question"])
    )


def shipped_question(slug: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """The shipped question as the scorer is given it, its hints and its model answer."""
    for path in sorted(SHIPPED_BANK_DIR.glob("*.yaml")):
        for question in yaml.safe_load(path.read_text()).get("questions", []):
            if question.get("slug") == slug:
                asked = f"{question['title']}\n{question['prompt']}"
                return asked, tuple(question.get("hints", ())), question.get("model_answer")
    return None, (), None


def pairwise_accuracy(grades: Sequence[float], scores: Sequence[float]) -> float:
    """Of the pairs a human ranks differently, the share the scorer orders the same way."""
    agree = total = 0
    for (g1, s1), (g2, s2) in combinations(zip(grades, scores, strict=True), 2):
        if g1 != g2:
            total += 1
            agree += (g1 - g2) * (s1 - s2) > 0
    return agree / total if total else 1.0


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], levels: int = 5) -> float:
    """Agreement between two ratings on levels 1..levels, disagreements weighted by their
    squared distance: 1 is perfect, 0 what chance gives."""
    n = len(a)
    if not n:
        return 1.0
    observed = [[0.0] * levels for _ in range(levels)]
    for x, y in zip(a, b, strict=True):
        observed[x - 1][y - 1] += 1
    rows = [sum(row) for row in observed]
    cols = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    disagreement = expected = 0.0
    for i in range(levels):
        for j in range(levels):
            weight = (i - j) ** 2 / (levels - 1) ** 2
            disagreement += weight * observed[i][j]
            expected += weight * rows[i] * cols[j] / n
    return 1.0 - disagreement / expected if expected else 1.0


def fit_cut_points(grades: Sequence[int], scores: Sequence[float]) -> list[float]:
    """Four overall scores that split 0-100 into levels 1-5: each the midpoint between the
    median scores of neighbouring grades (kept increasing), fitted on a development set."""
    medians = []
    for grade in range(1, 6):
        at_grade = [s for g, s in zip(grades, scores, strict=True) if g == grade]
        medians.append(statistics.median(at_grade) if at_grade else None)
    known = [(g, m) for g, m in enumerate(medians, 1) if m is not None]
    for index, value in enumerate(medians):  # a grade nobody gave: between its neighbours
        if value is None:
            below = [m for g, m in known if g < index + 1]
            above = [m for g, m in known if g > index + 1]
            medians[index] = (below[-1] if below else 0) / 2 + (above[0] if above else 100) / 2
    cuts: list[float] = []
    for low, high in itertools.pairwise(medians):
        cut = (low + high) / 2
        cuts.append(max(cut, cuts[-1] + 1) if cuts else cut)
    return cuts


def level_of(overall: float, cuts: Sequence[float]) -> int:
    return 1 + sum(overall >= cut for cut in cuts)


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
    reports = {
        a.id: score(eval_set.rubric, a.text, eval_set.asked, eval_set.hints, eval_set.model_answer)
        for a in eval_set.answers
    }
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


# Calibrating a rubric's weights: each criterion's weight may move this far from the authored one,
# in these steps, within these bounds, so the authors' order of importance mostly stands.
WEIGHT_MOVE = 1.0
WEIGHT_STEP = 0.5
WEIGHT_BOUNDS = (1.0, 3.0)
# Penalties that scale the score rather than subtract.
_SCALING_FLAGS = {"too_short", "diluted", "less_specific"}


def reweighted(report: ScoreReport, weights: Mapping[str, float]) -> int:
    """The overall a report would give with other criterion weights: the criteria's weighted
    share, less the same penalties, scaled as its length scaled it, capped as it was."""
    shares = {
        c.id: criterion_share(c.score, c.points, c.full_marks_at, bool(c.concepts))
        for c in report.criteria
    }
    weighted = 100 * sum(weights[k] * shares[k] for k in shares) / sum(weights[k] for k in shares)
    was_weighted = 100 * sum(c.weight * shares[c.id] for c in report.criteria)
    was_weighted /= sum(c.weight for c in report.criteria)
    penalties = sum(f.penalty for f in report.flags if f.id not in _SCALING_FLAGS)
    scaled_off = sum(f.penalty for f in report.flags if f.id in _SCALING_FLAGS)
    was_before_scaling = max(0.0, was_weighted - penalties)
    scale = (
        max(0.0, was_before_scaling - scaled_off) / was_before_scaling if was_before_scaling else 1
    )
    overall = min(100.0, max(0.0, weighted - penalties) * scale)
    capped = min(overall, OFF_TOPIC_CAP) if "off_topic" in report.flag_ids else overall
    return round(capped)  # whole points, as `score` reports them: a tie orders no pair


def weighted_agreement(
    questions: Sequence[Sequence[tuple[int, ScoreReport]]], weights: Mapping[str, float]
) -> float:
    """Mean pairwise accuracy over questions of (grade, report) pairs, under these weights."""
    return statistics.mean(
        pairwise_accuracy([g for g, _ in q], [reweighted(r, weights) for _, r in q])
        for q in questions
    )


def fit_weights(
    questions: Sequence[Sequence[tuple[int, ScoreReport]]],
    authored: Mapping[str, float],
    kept: Sequence[Sequence[tuple[int, ScoreReport]]] = (),
    fixed: Collection[str] = (),
) -> dict[str, float]:
    """Criterion weights that order labelled answers more as their graders did: the mean
    pairwise accuracy over questions, raised one criterion at a time (three passes, a move kept
    only when it helps), each weight within WEIGHT_MOVE of the authored one. No set in `kept`
    (earlier labelled sets, which must never fall) may order its answers worse than under the
    authored weights; the criteria in `fixed` keep theirs."""
    low, high = WEIGHT_BOUNDS
    steps = round(WEIGHT_MOVE / WEIGHT_STEP)
    weights = dict(authored)
    best = weighted_agreement(questions, weights)
    floors = [weighted_agreement([q], authored) for q in kept]
    for _ in range(3):
        for criterion, start in authored.items():
            if criterion in fixed:
                continue
            for step in range(-steps, steps + 1):
                candidate = start + step * WEIGHT_STEP
                if not low <= candidate <= high:
                    continue
                trial = weights | {criterion: candidate}
                if (value := weighted_agreement(questions, trial)) > best + 1e-9 and all(
                    weighted_agreement([q], trial) >= floor - 1e-9
                    for q, floor in zip(kept, floors, strict=True)
                ):
                    best, weights = value, trial
    return weights
