"""The scoring engine: pure Python, no Flask and no database, so it can be used and tested alone.

rubric = load_rubric("incident-response")
report = score(rubric, answer_text)
report.overall, report.criteria, report.flags
"""

from .engine import ENGINE_VERSION, OFF_TOPIC_CAP, score
from .report import MAX_LEVEL, CriterionResult, Flag, ScoreReport, criterion_share
from .rubric import SHIPPED_RUBRICS_DIR, Rubric, RubricSpec, load_rubric, parse_rubric
from .sourcefile import Problem, SourceError

__all__ = [
    "ENGINE_VERSION",
    "MAX_LEVEL",
    "OFF_TOPIC_CAP",
    "SHIPPED_RUBRICS_DIR",
    "CriterionResult",
    "Flag",
    "Problem",
    "Rubric",
    "RubricSpec",
    "ScoreReport",
    "SourceError",
    "criterion_share",
    "load_rubric",
    "parse_rubric",
    "score",
]
