"""Calibration: how a rubric version ranks the sample answers a coach has levelled, beside the
live version. The samples are the rubric's regression tests: a publish that ranks them worse
than the live version asks for confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.bank.service import live_rubric_version, rubric_from_row, rubric_of
from app.errors import FieldError
from app.models import Question, RubricSample, RubricVersion
from app.scoring import question_report
from pm_scoring import Rubric, ScoreReport, score
from pm_scoring.evaluation import level_of, pairwise_accuracy, quadratic_weighted_kappa

# An overall score as a level 1-5, fixed so a coach can read it: 0-19 is 1, ..., 80-100 is 5.
LEVEL_CUTS = (20, 40, 60, 80)
MAX_SAMPLE_CHARS = 50_000
MAX_NOTE_CHARS = 200


class SampleInvalid(FieldError):
    """A sample that cannot be stored, with the field at fault."""


@dataclass(frozen=True)
class SampleScore:
    sample: RubricSample
    overall: int
    level: int  # the overall as a level 1-5 (LEVEL_CUTS)
    criteria: dict[str, int]  # criterion id -> level 0-4
    live_overall: int | None = None
    live_criteria: dict[str, int] | None = None


@dataclass(frozen=True)
class Disagreement:
    criterion: str
    title: str
    distance: float  # mean |criterion level - the coach's level|, both on 0-4


@dataclass(frozen=True)
class Calibration:
    samples: list[SampleScore]
    pairwise: float | None  # None with fewer than two levels among the samples
    qwk: float | None
    live_pairwise: float | None
    live_qwk: float | None
    disagreements: list[Disagreement]  # criteria, the most at odds with the coach first

    @property
    def agreement_falls(self) -> bool:
        """The version orders the samples worse than the live one, or agrees less on levels."""
        pairs = self.pairwise, self.live_pairwise
        kappas = self.qwk, self.live_qwk
        return any(
            new is not None and old is not None and new < old - 1e-9 for new, old in (pairs, kappas)
        )


def samples_of(session: Session, rubric_id: str) -> list[RubricSample]:
    return list(
        session.exec(
            select(RubricSample)
            .where(RubricSample.rubric_id == rubric_id)
            .order_by(RubricSample.level, RubricSample.id)  # type: ignore[arg-type]
        ).all()
    )


def add_sample(
    session: Session,
    rubric_id: str,
    text: str,
    level: int,
    question_slug: str | None = None,
    note: str = "",
    author_id: int | None = None,
) -> RubricSample:
    text = text.strip()
    if not text:
        raise SampleInvalid("text", "Paste the sample answer.")
    if len(text) > MAX_SAMPLE_CHARS:
        raise SampleInvalid("text", f"A sample holds at most {MAX_SAMPLE_CHARS} characters.")
    if level not in range(1, 6):
        raise SampleInvalid("level", "Give a level from 1 (poor) to 5 (exceptional).")
    if len(note) > MAX_NOTE_CHARS:
        raise SampleInvalid("note", f"A note holds at most {MAX_NOTE_CHARS} characters.")
    question_id = None
    if question_slug:
        question = session.exec(select(Question).where(Question.slug == question_slug)).first()
        if question is None or question.rubric_id != rubric_id:
            raise SampleInvalid("question", "Choose a question that uses this rubric.")
        question_id = question.id
    sample = RubricSample(
        rubric_id=rubric_id,
        question_id=question_id,
        text=text,
        level=level,
        note=note.strip(),
        created_by=author_id,
    )
    session.add(sample)
    session.commit()
    return sample


def delete_sample(session: Session, rubric_id: str, sample_id: int) -> bool:
    sample = session.get(RubricSample, sample_id)
    if sample is None or sample.rubric_id != rubric_id:
        return False
    session.delete(sample)
    session.commit()
    return True


def calibrate(
    session: Session, rubric_id: str, version: Rubric, live: Rubric | None = None
) -> Calibration:
    """Score every sample of the rubric with `version` (and with `live`, to compare)."""
    samples = samples_of(session, rubric_id)
    questions = _questions_of(session, samples)
    scored = []
    for sample in samples:
        question = questions.get(sample.question_id)
        report = _sample_report(version, sample.text, question)
        before = None if live is None else _sample_report(live, sample.text, question)
        scored.append(
            SampleScore(
                sample,
                report.overall,
                level_of(report.overall, LEVEL_CUTS),
                {c.id: c.score for c in report.criteria},
                before.overall if before else None,
                {c.id: c.score for c in before.criteria} if before else None,
            )
        )
    levels = [s.sample.level for s in scored]
    pairwise, qwk = _agreement(levels, [s.overall for s in scored])
    live_pairwise = live_qwk = None
    if live is not None:
        live_pairwise, live_qwk = _agreement(levels, [s.live_overall or 0 for s in scored])
    return Calibration(
        scored, pairwise, qwk, live_pairwise, live_qwk, _disagreements(version, scored)
    )


def _agreement(levels: list[int], overall: list[int]) -> tuple[float | None, float | None]:
    if len(set(levels)) < 2:
        return None, None
    scored_levels = [level_of(o, LEVEL_CUTS) for o in overall]
    return pairwise_accuracy(levels, overall), quadratic_weighted_kappa(levels, scored_levels)


def _disagreements(version: Rubric, scored: list[SampleScore]) -> list[Disagreement]:
    if not scored:
        return []
    found = []
    for criterion in version.criteria:
        spec = criterion.spec
        distance = sum(abs(s.criteria[spec.id] - (s.sample.level - 1)) for s in scored) / len(
            scored
        )
        found.append(Disagreement(spec.id, spec.title, round(distance, 2)))
    return sorted(found, key=lambda d: -d.distance)


def _questions_of(session: Session, samples: list[RubricSample]) -> dict[int | None, Question]:
    """The questions the samples answer, by id."""
    ids = {s.question_id for s in samples if s.question_id is not None}
    if not ids:
        return {}
    questions = session.exec(select(Question).where(Question.id.in_(ids))).all()  # type: ignore[union-attr]
    return {q.id: q for q in questions}


def _sample_report(rubric: Rubric, text: str, question: Question | None) -> ScoreReport:
    """A sample's report: against its question when it has one, else against the rubric alone."""
    return question_report(rubric, text, question) if question else score(rubric, text)


def calibrate_version(session: Session, row: RubricVersion) -> Calibration:
    """Calibration of a stored version (a draft as last validated), beside the live one."""
    live_row = live_rubric_version(session, row.rubric_id, with_content=False)
    live = rubric_from_row(live_row) if live_row is not None and live_row.id != row.id else None
    return calibrate(session, row.rubric_id, rubric_of(row), live)
