"""Fit each shipped rubric's criterion weights to the development halves of the blind corpora.

`python -m benchmarks.calibrate` prints, per rubric, the shipped weights, the fitted ones and
the development halves' mean pairwise accuracy under each. The held-out halves are never read
here: they judge the fitted weights afterwards, in `make bench`. The shipped rubrics carry what it
printed on 2026-12-04, run on the authored weights with engine 2.15 (a new version of each rubric);
run again, it starts from those.
"""

from __future__ import annotations

from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

from pm_scoring import score
from pm_scoring.evaluation import fit_weights, load_eval_set, weighted_agreement
from pm_scoring.report import ScoreReport

EVAL_DIR = Path(__file__).resolve().parents[1] / "tests" / "eval"
# Rubrics that keep their authored weights, and why.
KEPT = {
    # Every move the development halves prefer (more weight on the actions and the result) lifts
    # a success story told for the failure question above the off-topic line (15) that the older
    # labelled set holds it to (tests/eval/failure-did-not-go-as-planned.yaml): 18 with `failure`
    # kept at 2, 22 without.
    "failure-story": "a success story would rise above the off-topic line",
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
    with Pool() as pool:
        scored = pool.map(_scored, paths)
    by_rubric: defaultdict[str, list[list[tuple[int, ScoreReport]]]] = defaultdict(list)
    for rubric_id, reports in scored:
        by_rubric[rubric_id].append(reports)
    for rubric_id, questions in sorted(by_rubric.items()):
        authored = {c.id: c.weight for c in questions[0][0][1].criteria}
        if rubric_id in KEPT:
            print(f"{rubric_id}: authored weights kept ({KEPT[rubric_id]})")
            continue
        fitted = fit_weights(questions, authored)
        print(
            f"{rubric_id} ({len(questions)} development halves): pairwise "
            f"{weighted_agreement(questions, authored):.3f} -> "
            f"{weighted_agreement(questions, fitted):.3f}"
        )
        for criterion, weight in authored.items():
            print(f"  {criterion}: {weight:g} -> {fitted[criterion]:g}")


if __name__ == "__main__":
    main()
