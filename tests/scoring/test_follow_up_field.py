"""A criterion's `follow_up`: what an interviewer asks when it is weak. Every shipped criterion
has one; it is carried to the compiled rubric and never changes a score."""

from __future__ import annotations

import pytest
import yaml

from pm_scoring import SHIPPED_RUBRICS_DIR, SourceError, load_rubric, parse_rubric, score

SHIPPED = sorted(p.stem for p in SHIPPED_RUBRICS_DIR.glob("*.yaml"))
ROOT = SHIPPED_RUBRICS_DIR.parent


def model_answers(rubric_id: str) -> list[tuple[str, str]]:
    """Each shipped question of this rubric as asked, with its model answer."""
    found = []
    for path in sorted((ROOT / "question_bank").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text())["questions"]:
            if item.get("rubric") == rubric_id and item.get("model_answer"):
                found.append((f"{item['title']}\n{item['prompt']}", item["model_answer"]))
    return found


@pytest.mark.parametrize("rubric_id", SHIPPED)
def test_every_shipped_criterion_has_its_own_follow_up_question(rubric_id):
    rubric = load_rubric(rubric_id)
    asked = [c.spec.follow_up for c in rubric.criteria]
    assert all(q and 20 <= len(q) <= 300 for q in asked), asked  # a question, said in a breath
    assert len(set(asked)) == len(asked)  # one per criterion, none copied


@pytest.mark.parametrize("rubric_id", SHIPPED)
def test_a_follow_up_never_changes_a_score(rubric_id):
    rubric = load_rubric(rubric_id)
    content = rubric.to_dict()
    without = content | {"criteria": [c | {"follow_up": None} for c in content["criteria"]]}
    bare = parse_rubric(without)
    answers = model_answers(rubric_id)
    assert answers
    for question, text in answers[:2]:
        for sample in (text, text[: len(text) // 3]):  # a full answer and a short one
            assert score(rubric, sample, question) == score(bare, sample, question)


def test_a_follow_up_left_empty_is_refused_by_name():
    text = (SHIPPED_RUBRICS_DIR / "star.yaml").read_text()
    first = next(line for line in text.splitlines() if line.startswith("    follow_up:"))
    with pytest.raises(SourceError) as refused:
        parse_rubric(text.replace(first, '    follow_up: ""', 1), "star.yaml")
    assert "follow_up" in str(refused.value)
