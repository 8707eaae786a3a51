"""The scorer against answers labelled by a PM interviewer (tests/eval/*.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pm_scoring.evaluation import evaluate, load_eval_set, pairwise_accuracy, spearman

EVAL_FILES = sorted(Path(__file__).parent.glob("*.yaml"))


@pytest.fixture(scope="module", params=EVAL_FILES, ids=lambda p: p.stem)
def result_and_set(request):
    eval_set = load_eval_set(request.param)
    return evaluate(eval_set), eval_set


def test_each_flagship_has_a_labelled_set_across_the_range():
    assert {p.stem for p in EVAL_FILES} >= {"worldwide-outage", "failure-did-not-go-as-planned"}
    for path in EVAL_FILES:
        answers = load_eval_set(path).answers
        assert len(answers) >= 12
        assert {a.kind for a in answers} >= {"excellent", "good", "mediocre", "weak", "gamed"}


def test_the_scorer_orders_answers_as_an_interviewer_would(result_and_set):
    result, _ = result_and_set
    assert result.pairwise_accuracy >= 0.9
    assert result.spearman >= 0.8


def test_every_gamed_or_off_topic_answer_scores_below_every_good_one(result_and_set):
    result, eval_set = result_and_set
    cheats = [a.id for a in eval_set.answers if a.kind in {"gamed", "off-topic"}]
    strong = [a.id for a in eval_set.answers if a.kind in {"excellent", "good"}]
    assert max(result.overall[a] for a in cheats) < min(result.overall[a] for a in strong)
    assert max(result.overall[a] for a in cheats) <= 15


def test_criteria_are_detected_where_the_interviewer_sees_them(result_and_set):
    result, _ = result_and_set
    supported = [d for d in result.detection.values() if d.support >= 3]
    assert supported
    precision = sum(d.precision for d in supported) / len(supported)
    recall = sum(d.recall for d in supported) / len(supported)
    assert precision >= 0.7, result.detection
    assert recall >= 0.75, result.detection


def test_the_agreement_measures_themselves():
    assert pairwise_accuracy([1, 2, 3], [10, 20, 30]) == 1.0
    assert pairwise_accuracy([1, 2, 3], [30, 20, 10]) == 0.0
    assert pairwise_accuracy([1, 1, 2], [5, 9, 7]) == 0.5
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)


HARDER_FILES = sorted(
    path
    for folder in ("heldout", "tuning2", "blind", "blind-heldout")
    for path in (Path(__file__).parent / folder).glob("*.yaml")
)


@pytest.mark.parametrize("path", HARDER_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_answers_in_unfamiliar_words_are_still_ordered_sensibly(path):
    """A lower bar than the first tuning set's: these answers were written blind to the scorer
    with deliberately varied wording; the held-out ones must stay unseen while rubrics are
    tuned, so they show how well it generalises."""
    eval_set = load_eval_set(path)
    result = evaluate(eval_set)
    assert result.pairwise_accuracy >= 0.85
    strong = [a.id for a in eval_set.answers if a.kind in {"excellent", "good"}]
    cheats = [a.id for a in eval_set.answers if a.kind in {"gamed", "off-topic"}]
    assert max(result.overall[a] for a in cheats) < max(result.overall[a] for a in strong)
