"""The shipped bank against the scoring engine: every model answer is a strong answer."""

from __future__ import annotations

import pytest

from app.bank.formats import read_banks
from app.scoring import question_as_asked
from pm_scoring import load_rubric, score
from tests.conftest import ROOT

SHIPPED_QUESTIONS = [q.spec for q in read_banks(sorted((ROOT / "question_bank").glob("*.yaml")))]


@pytest.mark.parametrize("question", SHIPPED_QUESTIONS, ids=lambda q: q.slug)
def test_every_shipped_question_has_a_model_answer_that_scores_near_the_top(question):
    """Candidates compare their answer with it after submitting: it must be one the scorer
    rates as strong, with nothing flagged, scored against itself as the question's model answer
    (which lends its examples, tells what the question is about and sets how much a focused
    answer pins down)."""
    assert question.model_answer, f"{question.slug} has no model answer"
    report = score(
        load_rubric(question.rubric),
        question.model_answer,
        question_as_asked(question.title, question.prompt),
        model_answer=question.model_answer,
    )
    assert report.overall >= 80 and not report.flags
