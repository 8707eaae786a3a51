"""Loading rubrics and questions into the database: versioned, idempotent and all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.orm import defer
from sqlmodel import Session, func, select

from app.models import Question, QuestionLabel, RubricStatus, RubricVersion, utcnow
from pm_scoring import Rubric, SourceError
from pm_scoring.rubric import SHIPPED_RUBRICS_DIR, parse_rubric, rubric_from_document
from pm_scoring.sourcefile import read_each

from .formats import QuestionSpec, read_bank_paths
from .importer import QUESTION_FIELDS, label_rows, preview_import, write_plan

# Inside the package when installed from the wheel, else the checkout's top-level folder.
SHIPPED_BANK_DIR = next(
    (d for d in [Path(__file__).resolve().parents[1] / "question_bank"] if d.is_dir()),
    Path(__file__).resolve().parents[2] / "question_bank",
)


@dataclass
class LoadSummary:
    rubrics_added: list[str] = field(default_factory=list)  # "id v2"
    questions_created: list[str] = field(default_factory=list)
    questions_updated: list[str] = field(default_factory=list)
    questions_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.rubrics_added or self.questions_created or self.questions_updated)

    def describe(self) -> str:
        parts = []
        if self.rubrics_added:
            parts.append(f"{len(self.rubrics_added)} rubric version(s) added")
        parts.append(f"{len(self.questions_created)} question(s) created")
        parts.append(f"{len(self.questions_updated)} updated")
        parts.append(f"{self.questions_unchanged} unchanged")
        return ", ".join(parts)


def live_rubric_version(
    session: Session, rubric_id: str, with_content: bool = True
) -> RubricVersion | None:
    """The version candidates are scored against: the highest published one (drafts are never
    live, retired versions never again). `with_content=False` leaves the large content column
    to be loaded only if it is read (callers that keep compiled rubrics rarely need it)."""
    statement = (
        select(RubricVersion)
        .options(*(() if with_content else (defer(RubricVersion.content),)))
        .where(RubricVersion.rubric_id == rubric_id, RubricVersion.status == RubricStatus.PUBLISHED)
        .order_by(RubricVersion.version.desc())  # type: ignore[attr-defined]
        .limit(1)
    )
    return session.exec(statement).first()


def next_version_number(session: Session, rubric_id: str) -> int:
    """One more than any version of the rubric, whatever its status: numbers are never reused."""
    highest = session.exec(
        select(func.max(RubricVersion.version)).where(RubricVersion.rubric_id == rubric_id)
    ).one()
    return (highest or 0) + 1


def store_rubric(session: Session, rubric: Rubric, source: str = "shipped") -> RubricVersion | None:
    """Publish the rubric as a new version unless a version with its content is stored already
    (then None): loading the same files twice changes nothing, and a coach's later version is
    not undone by files that have not changed.

    Versions are immutable, so scores keep pointing at exactly the rubric they used.
    """
    stored = session.exec(
        select(RubricVersion.id).where(
            RubricVersion.rubric_id == rubric.id,
            RubricVersion.content_hash == rubric.content_hash,
            RubricVersion.status != RubricStatus.DRAFT,
        )
    ).first()
    if stored is not None:
        return None
    version = max(rubric.version, next_version_number(session, rubric.id))
    row = RubricVersion(
        rubric_id=rubric.id,
        version=version,
        title=rubric.title,
        content=rubric.to_dict() | {"version": version},
        content_hash=rubric.content_hash,
        source=source,
        published_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def sync_labels(session: Session, question: Question) -> None:
    """Rewrite a question's label rows from its `companies` and `tags`: every write of a
    question goes through here or the importer, so the filters never go stale."""
    session.execute(delete(QuestionLabel).where(QuestionLabel.question_id == question.id))
    if rows := label_rows(question.id, question.companies, question.tags):
        session.execute(insert(QuestionLabel), rows)


@contextmanager
def all_or_nothing(session: Session) -> Iterator[None]:
    """Commit everything the block did, or, on any error, none of it."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def read_rubric_files(paths: Iterable[Path]) -> list[Rubric]:
    """Read and validate rubric files, collecting every problem before giving up."""
    rubrics, problems = read_each(paths, lambda document: [rubric_from_document(document)])
    if problems:
        raise SourceError(problems)
    return rubrics


def load_shipped_content(
    session: Session,
    rubrics_dir: Path = SHIPPED_RUBRICS_DIR,
    bank_dir: Path = SHIPPED_BANK_DIR,
) -> LoadSummary:
    """Load the shipped rubrics and bank in one transaction; running it twice changes nothing."""
    summary = LoadSummary()
    with all_or_nothing(session):
        for rubric in read_rubric_files(sorted(rubrics_dir.glob("*.yaml"))):
            row = store_rubric(session, rubric)
            if row is not None:
                summary.rubrics_added.append(f"{row.rubric_id} v{row.version}")
        bank_files = sorted([*bank_dir.glob("*.yaml"), *bank_dir.glob("*.json")])
        plan = preview_import(session, read_bank_paths(bank_files))
        if plan.problems:
            raise SourceError(plan.problems)
        write_plan(session, plan)
        summary.questions_created = [change.slug for change in plan.new]
        summary.questions_updated = [change.slug for change in plan.changed]
        summary.questions_unchanged = len(plan.unchanged)
    return summary


def export_questions(session: Session, include_retired: bool = True) -> list[QuestionSpec]:
    """Every question as a bank file gives it: exactly what an import reads back."""
    statement = select(Question).order_by(Question.slug)
    if not include_retired:
        statement = statement.where(Question.retired_at.is_(None))  # type: ignore[union-attr]
    return [
        QuestionSpec.model_validate(
            {"slug": row.slug, "rubric": row.rubric_id}
            | {name: getattr(row, name) for name in QUESTION_FIELDS if name != "rubric"}
        )
        for row in session.exec(statement).all()
    ]


def count_questions(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Question)).one()


_compiled: dict[tuple[str, int, str], Rubric] = {}


def rubric_for_version(
    session: Session, version_id: int, rubric_id: str, version: int, content_hash: str
) -> Rubric:
    """The compiled rubric of a stored version, reading its (large) content only the first time
    this process needs it."""
    compiled = _compiled.get((rubric_id, version, content_hash))
    if compiled is not None:
        return compiled
    row = session.get(RubricVersion, version_id)
    if row is None:
        raise LookupError(f"no rubric version {version_id}")
    return rubric_from_row(row)


def rubric_of(row: RubricVersion) -> Rubric:
    """The scorer's view of any version: a draft (which changes with every save, so it is never
    kept compiled) as last validated, any other from the per-process cache."""
    if row.status == RubricStatus.DRAFT:
        return parse_rubric(row.content, f"{row.rubric_id} v{row.version}")
    return rubric_from_row(row)


def rubric_from_row(row: RubricVersion) -> Rubric:
    """The scorer's view of a stored rubric version, compiled once per process: versions are
    immutable, so (id, version, content hash) names one rubric for good."""
    key = (row.rubric_id, row.version, row.content_hash)
    if key not in _compiled:
        _compiled[key] = parse_rubric(row.content, f"{row.rubric_id} v{row.version}")
    return _compiled[key]
