"""The shipped bank against the scoring engine: every model answer is a strong answer."""

from __future__ import annotations

import pytest

from app.bank.formats import read_banks
from app.scoring import question_report
from pm_scoring import load_rubric
from tests.conftest import ROOT

SHIPPED_QUESTIONS = [q.spec for q in read_banks(sorted((ROOT / "question_bank").glob("*.yaml")))]


@pytest.mark.parametrize("question", SHIPPED_QUESTIONS, ids=lambda q: q.slug)
def test_every_shipped_question_has_a_model_answer_that_scores_near_the_top(question):
    """Candidates compare their answer with it after submitting: it must be one the scorer
    rates as strong, with nothing flagged, scored as the app scores it: against its question and
    the hints the candidate is shown (a sentence made of their words restates them), and against
    itself as the question's model answer (which lends its examples, tells what the question is
    about and sets how much a focused answer pins down)."""
    assert question.model_answer, f"{question.slug} has no model answer"
    report = question_report(load_rubric(question.rubric), question.model_answer, question)
    assert report.overall >= 80, report.overall
    assert not report.flags, [(flag.id, flag.message) for flag in report.flags]
