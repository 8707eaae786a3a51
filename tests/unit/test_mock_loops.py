"""The ready-made mock interview loops: every shipped loop fills from the shipped bank, and a
broken loops file is refused with the loop and field at fault."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlmodel import select

from app.errors import FieldError
from app.extensions import db
from app.models import Question
from app.practice.mock import LOOPS_FILE, LoopFileError, fill_loop, load_loops

SHIPPED = load_loops()


def test_the_loops_file_ships_inside_the_package_not_in_the_bank_folder():
    # `coach init` imports question_bank/*.yaml: a loops file there would be read as questions.
    assert LOOPS_FILE.parent.name == "practice" and LOOPS_FILE.exists()
    assert "meta-pm" in SHIPPED and len(SHIPPED) >= 3


@pytest.mark.parametrize("loop_id", sorted(SHIPPED))
def test_every_shipped_loop_fills_from_the_shipped_bank(app, loop_id):
    loop = SHIPPED[loop_id]
    with app.app_context(), db.session() as session:
        for seed in range(5):  # ties are broken at random: any draw must work
            questions = fill_loop(session, None, loop, random.Random(seed))
            assert len(questions) == len(loop.slots)
            assert len({q.id for q in questions}) == len(questions)
            for question, slot in zip(questions, loop.slots, strict=True):
                assert question.type in slot.types and question.retired_at is None


def test_every_company_and_tag_a_loop_prefers_is_in_the_shipped_bank(app):
    # A misspelt preference would never match, silently: the loop would still fill.
    with app.app_context(), db.session() as session:
        questions = session.exec(select(Question)).all()
    companies = {c for q in questions for c in q.companies}
    tags = {t for q in questions for t in q.tags}
    for loop in SHIPPED.values():
        for slot in loop.slots:
            assert set(slot.companies) <= companies, (loop.id, slot.companies)
            assert set(slot.tags) <= tags, (loop.id, slot.tags)


def test_a_loop_the_bank_cannot_fill_says_which_question_is_missing(app):
    loop = SHIPPED["technical-pm"]
    with app.app_context(), db.session() as session:
        for question in session.exec(select(Question).where(Question.type == "technical")):
            question.retired_at = question.created_at
            session.add(question)
        session.commit()
        with pytest.raises(FieldError) as refused:
            fill_loop(session, None, loop)
    assert refused.value.field == "loop"
    assert "question 1 needs a question of type technical, and the bank has none left" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("loops: [", "loops.yaml: not valid YAML"),
        ("- a list", "loops.yaml: must be a mapping with a `loops:` list"),
        ("loops: []", "loops.yaml: loops: List should have at least 1 item"),
        (
            "loops:\n  - id: short\n    title: Short\n    slots:\n"
            "      - types: [behavioral]\n      - types: [estimation]\n",
            "loops.yaml: loop 'short', slots: List should have at least 3 items",
        ),
        (
            "loops:\n  - id: typo\n    title: Typo\n    slots:\n      - types: [behavioral]\n"
            "      - types: [design]\n      - types: [metrics]\n",
            "loops.yaml: loop 'typo', slots[1].types[0]: Input should be 'behavioral'",
        ),
        (
            "loops:\n  - id: extra\n    title: Extra\n    slots:\n      - types: [metrics]\n"
            "        company: [Meta]\n      - types: [metrics]\n      - types: [metrics]\n",
            "loops.yaml: loop 'extra', slots[0].company: Extra inputs are not permitted",
        ),
    ],
)
def test_a_broken_loops_file_is_refused_naming_the_loop_and_field(tmp_path: Path, text, message):
    path = tmp_path / "loops.yaml"
    path.write_text(text)
    with pytest.raises(LoopFileError) as refused:
        load_loops(path)
    assert str(refused.value).startswith(message), str(refused.value)


def test_two_loops_with_one_id_are_refused(tmp_path: Path):
    loop = (
        "  - id: twice\n    title: Twice\n    slots:\n"
        "      - types: [metrics]\n      - types: [metrics]\n      - types: [metrics]\n"
    )
    path = tmp_path / "loops.yaml"
    path.write_text("loops:\n" + loop + loop)
    with pytest.raises(LoopFileError, match="loop 'twice' is defined twice"):
        load_loops(path)
