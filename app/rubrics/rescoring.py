"""What a new rubric version would change for answers already scored, and scoring them again in
the background once it is published. The score of record never changes: a rescore is kept beside
it, labelled with the version that gave it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from sqlmodel import Session, select

from app.bank.service import rubric_from_row, rubric_of
from app.models import (
    Attempt,
    Question,
    Rescore,
    Rescoring,
    RescoringStatus,
    RubricStatus,
    RubricVersion,
    Score,
    utcnow,
)
from app.scoring import question_report
from pm_scoring import ENGINE_VERSION

PREVIEW_LIMIT = 500  # the most recent answers an impact preview scores again
BATCH = 100  # answers a rescoring commits at a time (its progress moves in these steps)
_BINS = (-100, -20, -10, -5, -1, 0, 1, 5, 10, 20, 101)  # score changes, as histogram bins


class RescoringNotAllowed(ValueError):
    """Only a published version can rescore answers, and only once at a time."""


@dataclass(frozen=True)
class Move:
    attempt_id: int
    question: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Impact:
    answers: int  # answers scored against any version of this rubric
    previewed: int  # the most recent of them, scored again here
    changed: int
    histogram: list[tuple[str, int]]  # ("-10 to -6", count), in order
    largest: list[Move]  # the ten largest moves, either way


def impact_of(session: Session, row: RubricVersion, limit: int = PREVIEW_LIMIT) -> Impact:
    """How the scores of past answers would move under this version (a draft, or a version not
    yet used to rescore): the score of record against the score this version gives."""
    rubric = rubric_of(row)
    scored = _scored_answers(session, row)
    moves = [
        Move(
            attempt.id,
            question.title,
            stored.overall,
            question_report(rubric, attempt.answer_text, question).overall,
        )
        for attempt, question, stored in scored[:limit]
    ]
    changes = Counter(_bin(m.change) for m in moves)
    histogram = [(label, changes.get(label, 0)) for label in _bin_labels()]
    largest = sorted((m for m in moves if m.change), key=lambda m: -abs(m.change))[:10]
    return Impact(len(scored), len(moves), sum(1 for m in moves if m.change), histogram, largest)


def start_rescoring(session: Session, row: RubricVersion, user_id: int) -> Rescoring:
    """A job that scores again, against this published version, every answer whose score of
    record came from another version of the rubric."""
    if row.status != RubricStatus.PUBLISHED:
        raise RescoringNotAllowed("Only a published version can score past answers again.")
    running = session.exec(
        select(Rescoring).where(
            Rescoring.rubric_version_id == row.id,
            Rescoring.status.in_((RescoringStatus.PENDING, RescoringStatus.RUNNING)),  # type: ignore[attr-defined]
        )
    ).first()
    if running is not None:
        return running
    job = Rescoring(
        rubric_version_id=row.id, total=len(_scored_answers(session, row)), created_by=user_id
    )
    session.add(job)
    session.commit()
    return job


def run_rescoring(session: Session, job_id: int) -> None:
    """The background task: score each answer again, BATCH at a time, so the progress shows
    and a restart resumes where it stopped (answers already rescored are skipped)."""
    job = session.get(Rescoring, job_id)
    if job is None or job.status == RescoringStatus.DONE:
        return
    _yield_the_cpu()
    job.status = RescoringStatus.RUNNING
    session.commit()
    try:
        row = session.get(RubricVersion, job.rubric_version_id)
        assert row is not None
        rubric = rubric_from_row(row)
        done = set(
            session.exec(
                select(Rescore.attempt_id).where(
                    Rescore.rubric_version_id == row.id,
                    Rescore.engine_version == ENGINE_VERSION,
                )
            ).all()
        )
        scored = _scored_answers(session, row)
        job.total, job.done = len(scored), sum(1 for a, _, _ in scored if a.id in done)
        for start in range(0, len(scored), BATCH):
            for attempt, question, stored in scored[start : start + BATCH]:
                if attempt.id in done:
                    continue
                report = question_report(rubric, attempt.answer_text, question)
                data = report.to_dict()
                session.add(
                    Rescore(
                        attempt_id=attempt.id,
                        rubric_version_id=row.id,
                        engine_version=report.engine_version,
                        question_version=question.version,
                        overall=report.overall,
                        criteria=data["criteria"],
                        flags=data["flags"],
                    )
                )
                job.done += 1
                job.changed += report.overall != stored.overall
            session.commit()
        job.status, job.finished_at = RescoringStatus.DONE, utcnow()
    except Exception as error:  # recorded for the coach to see; the task queue logs it too
        session.rollback()
        job.status, job.error = RescoringStatus.FAILED, str(error)[:500]
        raise
    finally:
        session.commit()


def _yield_the_cpu() -> None:
    """Run this thread at the lowest CPU priority (nice 19, on Linux, where each thread has its
    own): pages come first, and rescoring takes what is left."""
    with contextlib.suppress(AttributeError, OSError):  # elsewhere it runs as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def rescoring_job(session: Session, job_id: int) -> tuple[Rescoring, RubricVersion] | None:
    job = session.get(Rescoring, job_id)
    if job is None:
        return None
    row = session.get(RubricVersion, job.rubric_version_id)
    return (job, row) if row is not None else None


def later_scores(
    session: Session, attempt_id: int, record_version_id: int
) -> list[tuple[Rescore, RubricVersion]]:
    """An answer's scores under versions published after the one that gave its score of
    record, newest first."""
    record = session.get(RubricVersion, record_version_id)
    rows = session.exec(
        select(Rescore, RubricVersion)
        .join(RubricVersion, RubricVersion.id == Rescore.rubric_version_id)  # type: ignore[arg-type]
        .where(Rescore.attempt_id == attempt_id)
        .order_by(RubricVersion.version.desc(), Rescore.id.desc())  # type: ignore[attr-defined,union-attr]
    ).all()
    return [(r, v) for r, v in rows if record is None or v.version > record.version]


def _scored_answers(session: Session, row: RubricVersion) -> list[tuple[Attempt, Question, Score]]:
    """Answers whose score of record came from another version of this rubric, newest first."""
    other_versions = select(RubricVersion.id).where(
        RubricVersion.rubric_id == row.rubric_id, RubricVersion.id != row.id
    )
    return list(
        session.exec(
            select(Attempt, Question, Score)
            .join(Score, Score.attempt_id == Attempt.id)  # type: ignore[arg-type]
            .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
            .where(Score.rubric_version_id.in_(other_versions))  # type: ignore[attr-defined]
            .order_by(Attempt.id.desc())  # type: ignore[union-attr]
        ).all()
    )


def _bin(change: int) -> str:
    for low, high in pairwise(_BINS):
        if low <= change < high:
            return _label(low, high)
    return _label(_BINS[-2], _BINS[-1])


def _bin_labels() -> list[str]:
    return [_label(low, high) for low, high in pairwise(_BINS)]


def _label(low: int, high: int) -> str:
    if high - low == 1:
        return "no change" if low == 0 else f"{low:+d}"
    return f"{low:+d} to {high - 1:+d}"
