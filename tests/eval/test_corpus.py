"""The blind corpus of issue 13 (tests/eval/corpus): written by people who never saw the rubrics
or the engine, split at random into a development half (tuned on) and a held-out half (read once,
at the end). These tests keep its shape honest; the figures live in `make bench`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from pm_scoring import parse_rubric, score
from pm_scoring.evaluation import (
    WEIGHT_BOUNDS,
    WEIGHT_MOVE,
    evaluate,
    fit_cut_points,
    fit_weights,
    level_of,
    load_eval_set,
    pairwise_accuracy,
    quadratic_weighted_kappa,
    reweighted,
)

CORPUS = Path(__file__).parent / "corpus"
QUESTIONS = sorted(path.stem for path in (CORPUS / "dev").glob("*.yaml"))


def both_halves(slug: str):
    return load_eval_set(CORPUS / "dev" / f"{slug}.yaml"), load_eval_set(
        CORPUS / "heldout" / f"{slug}.yaml"
    )


def test_the_corpus_covers_both_flagships_and_every_other_rubric():
    rubrics = {load_eval_set(CORPUS / "dev" / f"{slug}.yaml").rubric.id for slug in QUESTIONS}
    assert {"worldwide-outage", "failure-did-not-go-as-planned"} <= set(QUESTIONS)
    assert len(QUESTIONS) >= 8
    assert len(rubrics) == len(QUESTIONS)  # one question per rubric


@pytest.mark.parametrize("slug", QUESTIONS)
def test_each_question_has_twenty_answers_split_without_breaking_pairs(slug):
    dev, heldout = both_halves(slug)
    answers = dev.answers + heldout.answers
    assert len(answers) >= 20
    assert len({a.id for a in answers}) == len(answers)
    for half in (dev, heldout):
        ids = {a.id for a in half.answers}
        genuine = Counter(a.grade for a in half.answers if a.kind == "genuine")
        assert set(genuine) == {1, 2, 3, 4, 5}, (half.question, genuine)
        for answer in half.answers:
            if answer.twin:
                assert answer.twin in ids  # a twin pair is never split across the halves
            if answer.base:
                assert answer.base in ids
    tricks = {a.trick for a in answers}
    assert tricks >= {"filler", "checklist", "template", "padded", "pasted-question"}
    assert {"to-grader-blunt", "to-grader-polite", "negation-plan", "negation-past"} <= tricks


@pytest.mark.parametrize("slug", QUESTIONS)
def test_a_padded_answer_holds_its_base_answer_word_for_word(slug):
    for half in both_halves(slug):
        texts = {a.id: a.text for a in half.answers}
        for answer in half.answers:
            if answer.base:  # the answer it pads, whole or a paragraph at a time
                for paragraph in texts[answer.base].split("\n\n"):
                    assert paragraph.strip() in answer.text
                assert len(answer.text.split()) >= len(texts[answer.base].split()) + 300


def test_quadratic_weighted_kappa():
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    # One level off on one answer costs little; four levels off on it costs much more.
    near = quadratic_weighted_kappa([1, 2, 3, 4, 5], [2, 2, 3, 4, 5])
    far = quadratic_weighted_kappa([1, 2, 3, 4, 5], [5, 2, 3, 4, 5])
    assert 0.8 < near < 1.0
    assert far < near


def test_cut_points_map_scores_to_the_levels_they_were_fitted_on():
    grades = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    scores = [5, 10, 20, 30, 40, 50, 60, 70, 85, 95]
    cuts = fit_cut_points(grades, scores)
    assert cuts == sorted(cuts) and len(cuts) == 4
    assert [level_of(s, cuts) for s in scores] == grades
    # A grade nobody gave still gets a band between its neighbours.
    gap = fit_cut_points([1, 2, 4, 5], [10, 30, 70, 90])
    assert level_of(50, gap) == 3


def test_reweighting_a_report_gives_what_the_rubric_with_those_weights_scores():
    dev, _ = both_halves("worldwide-outage")
    other = {c.spec.id: 1.0 + (i % 3) for i, c in enumerate(dev.rubric.criteria)}
    content = dev.rubric.to_dict()
    for criterion in content["criteria"]:
        criterion["weight"] = other[criterion["id"]]
    rubric_with_other_weights = parse_rubric(content)
    for answer in dev.answers:
        report = score(dev.rubric, answer.text, dev.asked, dev.hints)
        again = score(rubric_with_other_weights, answer.text, dev.asked, dev.hints)
        assert reweighted(report, {c.id: c.weight for c in report.criteria}) == pytest.approx(
            report.overall, abs=1
        )
        # Within rounding, and a short answer that the new weights make complete (or not).
        assert reweighted(report, other) == pytest.approx(again.overall, abs=3), answer.id


def test_fitted_weights_follow_the_criterion_that_orders_the_answers():
    """Graded by one criterion alone, answers order at least as well after the fit, and better
    with more weight on it for some of the lightest criteria (not all: the steps are half a
    point, and some criteria tie too many answers for a step to help)."""
    dev, heldout = both_halves("worldwide-outage")
    reports = [score(dev.rubric, a.text, dev.asked, dev.hints) for a in dev.answers]
    reports += [score(dev.rubric, a.text, dev.asked, dev.hints) for a in heldout.answers]
    authored = {c.id: c.weight for c in reports[0].criteria}
    raised = 0
    for lightest in [c for c, w in authored.items() if w == min(authored.values())]:
        grades = [1 + r.criterion(lightest).score for r in reports]
        fitted = fit_weights([list(zip(grades, reports, strict=True))], authored)
        for criterion, weight in fitted.items():
            assert abs(weight - authored[criterion]) <= WEIGHT_MOVE
            assert WEIGHT_BOUNDS[0] <= weight <= WEIGHT_BOUNDS[1]
        before = pairwise_accuracy(grades, [reweighted(r, authored) for r in reports])
        after = pairwise_accuracy(grades, [reweighted(r, fitted) for r in reports])
        assert after >= before
        raised += after > before and fitted[lightest] > authored[lightest]
    assert raised >= 2


def test_a_fit_never_lets_an_earlier_set_fall_and_leaves_fixed_criteria_alone():
    """Graded by one light criterion, answers pull the fit towards raising it; an earlier set
    graded the opposite way would fall if it were raised, so with that set kept the fit may
    not order it worse than the authored weights do, and a fixed criterion never moves."""
    dev, heldout = both_halves("worldwide-outage")
    reports = [score(dev.rubric, a.text, dev.asked, dev.hints) for a in dev.answers]
    reports += [score(dev.rubric, a.text, dev.asked, dev.hints) for a in heldout.answers]
    authored = {c.id: c.weight for c in reports[0].criteria}
    lightest = min(authored, key=lambda c: (authored[c], c))
    grades = [1 + r.criterion(lightest).score for r in reports]
    opposite = [6 - grade for grade in grades]
    questions = [list(zip(grades, reports, strict=True))]
    free = fit_weights(questions, authored)
    guarded = fit_weights(questions, authored, kept=[list(zip(opposite, reports, strict=True))])
    assert free[lightest] > authored[lightest] and guarded != free

    def earlier_set_under(weights):
        return pairwise_accuracy(opposite, [reweighted(r, weights) for r in reports])

    assert earlier_set_under(guarded) >= earlier_set_under(authored)
    assert fit_weights(questions, authored, fixed={lightest})[lightest] == authored[lightest]


@pytest.mark.parametrize("half", ["dev", "heldout"])
def test_the_scorer_orders_the_blind_corpus_as_an_interviewer_would(half):
    """The figures engine 2.0 reached (docs/benchmarks.md), kept from slipping back: the
    held-out half was read once, after the tuning on the development half was done."""
    results = [evaluate(load_eval_set(path)) for path in sorted((CORPUS / half).glob("*.yaml"))]
    pairwise = [r.pairwise_accuracy for r in results]
    assert min(pairwise) >= 0.73, pairwise
    assert sum(pairwise) / len(pairwise) >= {"dev": 0.88, "heldout": 0.91}[half], pairwise


# Later rounds: new questions, each half with a genuine answer of every grade.
LATER = {
    name: sorted(p.stem for p in (Path(__file__).parent / name / "dev").glob("*.yaml"))
    for name in (f"corpus{n}" for n in range(2, 55))
}


@pytest.mark.parametrize(
    ("corpus", "slug"), [(name, slug) for name, slugs in LATER.items() for slug in slugs]
)
def test_a_later_corpus_is_split_without_breaking_pairs(corpus, slug):
    """A twin pair, or a padded answer and the answer it pads, is never split across halves."""
    folder = Path(__file__).parent / corpus
    halves = [load_eval_set(folder / half / f"{slug}.yaml") for half in ("dev", "heldout")]
    answers = [a for half in halves for a in half.answers]
    assert len(answers) >= 20 and len({a.id for a in answers}) == len(answers)
    for half in halves:
        texts = {a.id: a.text for a in half.answers}
        assert {a.grade for a in half.answers if a.kind == "genuine"} == {1, 2, 3, 4, 5}
        for answer in half.answers:
            assert answer.twin is None or answer.twin in texts
            if answer.base:  # the answer it pads, whole or a paragraph at a time
                for paragraph in texts[answer.base].split("\n\n"):
                    assert paragraph.strip() in answer.text
    tricks = {a.trick for a in answers}
    assert {"filler", "checklist", "template", "off-topic-pm"} <= tricks
    assert tricks & {"padded-on-topic", "padded-off-topic"}


@pytest.mark.parametrize("corpus", sorted(LATER))
def test_a_second_grader_graded_a_whole_half_or_none_of_it(corpus):
    """A second blind grader's grades (`second_grade`) cover every answer of a half they are
    in, each a grade from 1 to 5, so `make bench` compares like with like."""
    for half in ("dev", "heldout"):
        answers = [
            a
            for path in sorted((Path(__file__).parent / corpus / half).glob("*.yaml"))
            for a in yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["answers"]
        ]
        second = [a["second_grade"] for a in answers if "second_grade" in a]
        assert second == [] or len(second) == len(answers), (corpus, half)
        assert all(grade in {1, 2, 3, 4, 5} for grade in second)


def test_each_later_corpus_asks_new_questions_beside_the_flagships():
    """Every question is new to the corpora but the two flagships and, in the fourth, a
    metric-diagnosis question (the bank has two, both already asked). The fifth asks
    six more questions never asked in a corpus, and again a technical and a metric-diagnosis one.
    The sixth, a blind measure of a finished engine, asks the last three behavioural, execution
    and design questions never asked, beside five asked before for new answers. The seventh asks
    the last three questions no corpus had asked, beside the failure flagship and six others. With
    every question asked, the eighth to the thirty-first, each a blind measure of an engine, ask
    ten again."""
    earlier = set(QUESTIONS)
    # New questions each round asked: eight in the second and third, fewer from the fourth,
    # none from the eighth on (every question had been asked).
    fewer = {"corpus2": 8, "corpus3": 8, "corpus4": 7, "corpus5": 6, "corpus6": 3, "corpus7": 3}
    for name, slugs in LATER.items():
        assert len(set(slugs) - earlier) >= fewer.get(name, 0)
        earlier |= set(slugs)
