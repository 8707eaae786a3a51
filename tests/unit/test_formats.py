"""Rubric and question-bank files: shipped ones validate, broken ones are reported precisely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bank.formats import QuestionType, read_banks
from pm_scoring import SHIPPED_RUBRICS_DIR, SourceError, load_rubric
from tests.conftest import ROOT

GOOD_RUBRIC = """\
id: tiny
version: 1
title: Tiny rubric
description: For tests.
criteria:
  - id: rollback
    title: Rolls back
    weight: 1
    description: Rolls back.
    levels: {0: none, 2: some, 4: all}
    concepts:
      - id: rollback
        phrases: [roll back]
    tip: Roll back.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(exc_info: pytest.ExceptionInfo[SourceError]) -> list[str]:
    return [str(p) for p in exc_info.value.problems]


def test_every_shipped_rubric_validates():
    paths = sorted(SHIPPED_RUBRICS_DIR.glob("*.yaml"))
    ids = {load_rubric(path).id for path in paths}
    assert {"incident-response", "failure-story", "star", "product-design"} <= ids
    assert len(ids) == len(paths)


def test_flagship_rubrics_have_the_agreed_criteria():
    outage = [c.spec.id for c in load_rubric("incident-response").criteria]
    story = [c.spec.id for c in load_rubric("failure-story").criteria]
    star = [c.spec.id for c in load_rubric("star").criteria]
    assert (
        outage
        == "clarify hypotheses mitigation communication root_cause prevention metrics".split()
    )
    assert story == ["context", "failure", "actions", "result", "learning", "next_time"]
    assert star == ["situation", "task", "action", "result", "learning"]


def test_a_bad_rubric_field_is_reported_with_file_line_and_field(tmp_path):
    path = write(tmp_path, "bad.yaml", GOOD_RUBRIC.replace("weight: 1", "weight: -2"))
    with pytest.raises(SourceError) as exc_info:
        load_rubric(path)
    assert problems(exc_info) == [f"{path}:8: criteria[0].weight: Input should be greater than 0"]


def test_an_unknown_rubric_field_is_reported_not_ignored(tmp_path):
    path = write(tmp_path, "typo.yaml", GOOD_RUBRIC.replace("    tip:", "    tipp:"))
    with pytest.raises(SourceError) as exc_info:
        load_rubric(path)
    reported = problems(exc_info)
    assert f"{path}:14: criteria[0].tipp: unknown field (check the spelling)" in reported
    assert any("criteria[0].tip: required field is missing" in p for p in reported)


def test_broken_yaml_syntax_names_the_line(tmp_path):
    path = write(tmp_path, "broken.yaml", GOOD_RUBRIC.replace("title: Rolls back", "title: [oops"))
    with pytest.raises(SourceError) as exc_info:
        load_rubric(path)
    assert str(exc_info.value).startswith(f"{path}:")
    assert "invalid YAML" in str(exc_info.value)


def test_an_invalid_pattern_is_reported(tmp_path):
    text = GOOD_RUBRIC.replace("phrases: [roll back]", "patterns: ['(unclosed']")
    with pytest.raises(SourceError) as exc_info:
        load_rubric(write(tmp_path, "pattern.yaml", text))
    assert "criteria[0].concepts[0].patterns" in str(exc_info.value)
    assert "not a valid regular expression" in str(exc_info.value)


def test_missing_anchor_levels_are_reported(tmp_path):
    text = GOOD_RUBRIC.replace("{0: none, 2: some, 4: all}", "{0: none, 4: all}")
    with pytest.raises(SourceError, match=r"levels: levels must describe 0, 2 and 4"):
        load_rubric(write(tmp_path, "levels.yaml", text))


def test_unknown_rubric_id_is_a_clear_error():
    with pytest.raises(SourceError, match="no rubric with that id"):
        load_rubric("no-such-rubric")


def test_the_shipped_bank_is_large_varied_and_valid():
    questions = read_banks(sorted((ROOT / "question_bank").glob("*.yaml")))
    by_slug = {q.spec.slug: q.spec for q in questions}
    assert len(questions) >= 42
    assert {q.spec.type for q in questions} == set(QuestionType)
    outage = by_slug["worldwide-outage"]
    assert outage.prompt.strip() == (
        "Your product just caused a worldwide outage. How would you handle it?"
    )
    assert outage.rubric == "incident-response" and "Salesforce" in outage.companies
    story = by_slug["failure-did-not-go-as-planned"]
    assert story.rubric == "failure-story" and "Microsoft" in story.companies
    assert outage.model_answer and story.model_answer
    rubric_ids = {path.stem for path in SHIPPED_RUBRICS_DIR.glob("*.yaml")}
    assert {q.spec.rubric for q in questions} <= rubric_ids


def test_a_bad_question_names_file_line_and_field(tmp_path):
    bank = write(
        tmp_path,
        "bank.yaml",
        "questions:\n"
        "  - slug: fine-one\n    title: Fine\n    prompt: Hi\n    rubric: star\n"
        "  - slug: bad-one\n    title: Bad\n    prompt: Hi\n    rubric: star\n"
        "    difficulty: tricky\n",
    )
    with pytest.raises(SourceError) as exc_info:
        read_banks([bank])
    [problem] = problems(exc_info)
    assert problem.startswith(f"{bank}:10: questions[1].difficulty: Input should be 'easy'")


def test_duplicate_slugs_across_files_are_reported(tmp_path):
    question = "questions:\n  - slug: same\n    title: T\n    prompt: P\n    rubric: star\n"
    first, second = write(tmp_path, "a.yaml", question), write(tmp_path, "b.yaml", question)
    with pytest.raises(
        SourceError, match=rf"{second}:2: slug: duplicate slug \(also at {first}:2\)"
    ):
        read_banks([first, second])


def test_json_banks_are_read_and_json_syntax_errors_name_the_line(tmp_path):
    data = {"questions": [{"slug": "js", "title": "T", "prompt": "P", "rubric": "star"}]}
    good = write(tmp_path, "bank.json", json.dumps(data, indent=2))
    assert [q.spec.slug for q in read_banks([good])] == ["js"]
    bad = write(tmp_path, "bad.json", '{\n  "questions": [\n    {"slug": }\n  ]\n}')
    with pytest.raises(SourceError, match=rf"{bad}:3: invalid JSON"):
        read_banks([bad])
