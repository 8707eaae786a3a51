"""Fit each shipped rubric's criterion weights to the development halves of the blind corpora.

`python -m benchmarks.calibrate` prints, per rubric, the shipped weights, the fitted ones and
the development halves' mean pairwise accuracy under each. The held-out halves are never read
here: they judge the fitted weights afterwards, in `make bench`. The shipped rubrics carry what it
printed on 2026-12-07, on the development halves 1-44 with engine 2.36, starting from the weights
it printed on 2026-12-04 (engine 2.15, halves 1-19); each fitted rubric is a new version. Run
again, it starts from those.
"""

from __future__ import annotations

from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

from pm_scoring import score
from pm_scoring.evaluation import fit_weights, load_eval_set, weighted_agreement
from pm_scoring.report import ScoreReport

EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "eval"
# The labelled sets written before the blind corpora: tuned on long ago, they must never fall.
EARLIER = ["*.yaml", "blind/*.yaml", "blind-heldout/*.yaml", "heldout/*.yaml", "tuning2/*.yaml"]
# Criteria the fit leaves alone, and why: a move chosen by reweighting reports can still lower a
# figure once the answers are scored again with the new weights (a score can land a point away
# from what reweighting predicts).
FIXED = {
    # Raising `metrics` to 3 (in the fit that moved it, beside `clarify_goal` at 2) tied two
    # grocery answers of grades 4 and 5 in the earlier labelled set tests/eval/blind-heldout,
    # which fell from 0.896 to 0.883 once rescored.
    "product-design": {"metrics"},
}
# Rubrics that keep their authored weights, and why.
KEPT = {
    # Every move the development halves prefer (more weight on the actions and the result) lifts
    # a success story told for the failure question above the off-topic line (15) that the older
    # labelled set holds it to (tests/eval/failure-did-not-go-as-planned.yaml): 18 with `failure`
    # kept at 2, 22 without.
    "failure-story": "a success story would rise above the off-topic line",
    # Both fits it found on the development halves 1-44 (2026-12-07) gained under 0.001 of
    # pairwise accuracy once rescored; one cost four twins within a level and 0.014 of QWK, the
    # other two gaming attempts held down.
    "star": "the gain is noise and twins fall",
}


def _scored(path: Path) -> tuple[str, list[tuple[int, ScoreReport]]]:
    eval_set = load_eval_set(path)
    reports = [
        (
            a.grade,
            score(eval_set.rubric, a.text, eval_set.asked, eval_set.hints, eval_set.model_answer),
        )
        for a in eval_set.answers
    ]
    return eval_set.rubric.id, reports


def main() -> None:
    paths = sorted(EVAL_DIR.glob("corpus*/dev/*.yaml"))
    earlier = sorted(path for pattern in EARLIER for path in EVAL_DIR.glob(pattern))
    with Pool() as pool:
        scored = pool.map(_scored, paths)
        scored_earlier = pool.map(_scored, earlier)
    by_rubric: defaultdict[str, list[list[tuple[int, ScoreReport]]]] = defaultdict(list)
    for rubric_id, reports in scored:
        by_rubric[rubric_id].append(reports)
    kept_by_rubric: defaultdict[str, list[list[tuple[int, ScoreReport]]]] = defaultdict(list)
    for rubric_id, reports in scored_earlier:
        kept_by_rubric[rubric_id].append(reports)
    for rubric_id, questions in sorted(by_rubric.items()):
        authored = {c.id: c.weight for c in questions[0][0][1].criteria}
        if rubric_id in KEPT:
            print(f"{rubric_id}: authored weights kept ({KEPT[rubric_id]})")
            continue
        fitted = fit_weights(
            questions, authored, kept_by_rubric[rubric_id], FIXED.get(rubric_id, set())
        )
        print(
            f"{rubric_id} ({len(questions)} development halves): pairwise "
            f"{weighted_agreement(questions, authored):.3f} -> "
            f"{weighted_agreement(questions, fitted):.3f}"
        )
        for criterion, weight in authored.items():
            print(f"  {criterion}: {weight:g} -> {fitted[criterion]:g}")


if __name__ == "__main__":
    main()
