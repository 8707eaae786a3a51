"""Importing question banks: a pure plan (the preview) and an all-or-nothing apply.

`plan_import` compares what the files say with what is stored and touches nothing: N new, M
changed (field by field), K unchanged, what was skipped, and every problem. `apply_import` plans
again inside one transaction and writes the plan, or nothing if there is any problem, so applying
the same files twice changes nothing the second time (questions are matched by slug).

A question already stored keeps the fields its file does not give: a Moodle file, which has no
companies or difficulty, does not wipe them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from app.models import BankImport, ImportStatus, Question, QuestionLabel, RubricVersion, utcnow
from app.scoring import SCORED_FIELDS
from pm_scoring import SourceError
from pm_scoring.sourcefile import Problem

from .formats import BankRead, ImportLimits, LoadedQuestion, Skipped

# The fields a bank file sets on a question, in the order a preview lists them.
QUESTION_FIELDS = (
    "title", "prompt", "rubric", "type", "difficulty", "companies", "tags",
    "time_limit_minutes", "hints", "model_answer", "answer_template",
)  # fmt: skip
_COLUMN = {"rubric": "rubric_id"}  # a file's `rubric` is the column `rubric_id`
_BATCH = 500  # rows per statement, and how often progress is reported


def import_limits(config: Mapping[str, Any]) -> ImportLimits:
    """The limits an import runs under (COACH_IMPORT_MAX_MB, COACH_IMPORT_MAX_QUESTIONS)."""
    return ImportLimits(
        max_bytes=int(float(config["IMPORT_MAX_MB"]) * 1024 * 1024),
        max_questions=int(config["IMPORT_MAX_QUESTIONS"]),
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class QuestionChange:
    """A question the import creates (no `changes`) or changes (the fields that differ)."""

    slug: str
    title: str
    file: str
    line: int | None
    changes: tuple[FieldChange, ...] = ()
    kept_rubric: str | None = None  # a coach chose this rubric: the file's is not applied


@dataclass
class ImportPlan:
    new: list[QuestionChange] = field(default_factory=list)
    changed: list[QuestionChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What to write, by slug: the values of the fields the file gives.
    values: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
            "problems": len(self.problems),
        }

    def describe(self) -> str:
        counts = self.counts
        text = (
            f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged, "
            f"{counts['skipped']} skipped"
        )
        if self.problems:
            text += f", {len(self.problems)} problem{'s' * (len(self.problems) > 1)}"
        return text


@dataclass(frozen=True)
class StoredQuestion:
    values: dict[str, Any]  # keyed as QUESTION_FIELDS
    rubric_chosen_by_coach: bool


def plan_import(
    read: BankRead, stored: Mapping[str, StoredQuestion], rubrics: Collection[str]
) -> ImportPlan:
    """What importing `read` would do to a bank holding `stored` (by slug) with these rubrics.
    Pure: the same inputs always give the same plan."""
    plan = ImportPlan(skipped=list(read.skipped), problems=list(read.problems))
    for loaded in read.questions:
        spec = loaded.spec
        if spec.rubric not in rubrics:
            known = ", ".join(sorted(rubrics)) or "none yet: run coach init"
            plan.problems.append(
                loaded.problem("rubric", f"unknown rubric {spec.rubric!r} (known: {known})")
            )
            continue
        given = _given_values(loaded)
        current = stored.get(spec.slug)
        if current is None:
            plan.new.append(QuestionChange(spec.slug, spec.title, loaded.file, loaded.line))
            plan.values[spec.slug] = given
            continue
        kept_rubric = None
        if current.rubric_chosen_by_coach and given.get("rubric") != current.values["rubric"]:
            kept_rubric = current.values["rubric"]
            given.pop("rubric", None)
        changes = tuple(
            FieldChange(name, current.values[name], value)
            for name, value in given.items()
            if current.values[name] != value
        )
        if changes:
            plan.changed.append(
                QuestionChange(
                    spec.slug, spec.title, loaded.file, loaded.line, changes, kept_rubric
                )
            )
            plan.values[spec.slug] = {change.field: change.new for change in changes}
        else:
            plan.unchanged.append(spec.slug)
    return plan


def _given_values(loaded: LoadedQuestion) -> dict[str, Any]:
    """The fields the file sets (a new question gets every field, defaults included)."""
    spec = loaded.spec
    given = spec.model_fields_set
    return {
        name: _plain(getattr(spec, name))
        for name in QUESTION_FIELDS
        if name in given or name in ("title", "prompt", "rubric")
    }


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return list(value)
    return value.value if hasattr(value, "value") else value


def stored_questions(session: Session, slugs: Iterable[str]) -> dict[str, StoredQuestion]:
    """The stored values of the questions with these slugs, read as plain rows in batches."""
    columns = [
        Question.slug,
        Question.rubric_assigned_by,
        *(getattr(Question, _COLUMN.get(name, name)) for name in QUESTION_FIELDS),
    ]
    slugs = list(dict.fromkeys(slugs))
    stored: dict[str, StoredQuestion] = {}
    for start in range(0, len(slugs), _BATCH):
        batch = slugs[start : start + _BATCH]
        for row in session.execute(select(*columns).where(Question.slug.in_(batch))):  # type: ignore[attr-defined]
            slug, assigned_by, *values = row
            stored[slug] = StoredQuestion(
                dict(zip(QUESTION_FIELDS, values, strict=True)), assigned_by is not None
            )
    return stored


def known_rubrics(session: Session) -> set[str]:
    return set(session.execute(select(RubricVersion.rubric_id).distinct()).scalars())


def preview_import(session: Session, read: BankRead) -> ImportPlan:
    """The preview: what applying would do now. Reads only."""
    slugs = [loaded.spec.slug for loaded in read.questions]
    return plan_import(read, stored_questions(session, slugs), known_rubrics(session))


Progress = Callable[[int, int], None]  # (questions written so far, questions to write)


def apply_import(
    session: Session, read: BankRead, log: BankImport, progress: Progress | None = None
) -> ImportPlan:
    """Plan again and write the plan in one transaction, or nothing at all: any problem raises
    `SourceError` and leaves the bank exactly as it was. `log` is the import log's row: it is
    committed with the outcome either way."""
    try:
        plan = preview_import(session, read)
        if plan.problems:
            raise SourceError(plan.problems)
        write_plan(session, plan, progress)
        _finish(log, plan, ImportStatus.APPLIED, f"Applied: {plan.describe()}.")
        session.add(log)
        session.commit()
    except BaseException as exc:
        session.rollback()
        message = exc.summary() if isinstance(exc, SourceError) else "failed: nothing was changed"
        _finish(log, None, ImportStatus.FAILED, message)
        session.add(log)
        session.commit()
        raise
    return plan


def _finish(log: BankImport, plan: ImportPlan | None, status: str, message: str) -> None:
    if plan is not None:
        log.counts = plan.counts
    log.status = status
    log.message = message
    log.payload = None  # the upload is not kept once it is applied or refused
    log.finished_at = utcnow()


def write_plan(session: Session, plan: ImportPlan, progress: Progress | None = None) -> None:
    """Create and change the questions a problem-free plan lists (the caller commits)."""
    total = len(plan.new) + len(plan.changed)
    done = 0
    now = utcnow()
    new_rows = [
        {"slug": change.slug, "created_at": now, "updated_at": now}
        | _columns(_with_defaults(plan.values[change.slug]))
        for change in plan.new
    ]
    for start in range(0, len(new_rows), _BATCH):
        batch = new_rows[start : start + _BATCH]
        ids = session.execute(
            insert(Question).returning(Question.id, sort_by_parameter_order=True), batch
        ).scalars()
        labels = [
            label
            for question_id, row in zip(ids, batch, strict=True)
            for label in label_rows(question_id, row["companies"], row["tags"])
        ]
        if labels:
            session.execute(insert(QuestionLabel), labels)
        done += len(batch)
        if progress:
            progress(done, total)
    for change in plan.changed:
        values = _columns(plan.values[change.slug])
        if any(c.field in SCORED_FIELDS for c in change.changes):
            values["version"] = Question.version + 1
        question_id = session.execute(
            update(Question)
            .where(Question.slug == change.slug)
            .values(**values, updated_at=now)
            .returning(Question.id)
        ).scalar_one()
        if "companies" in values or "tags" in values:
            companies, tags = session.execute(
                select(Question.companies, Question.tags).where(Question.id == question_id)
            ).one()
            session.execute(delete(QuestionLabel).where(QuestionLabel.question_id == question_id))
            if labels := label_rows(question_id, companies, tags):
                session.execute(insert(QuestionLabel), labels)
        done += 1
        if progress and (done % _BATCH == 0 or done == total):
            progress(done, total)


_DEFAULTS: dict[str, Any] = {"companies": [], "tags": [], "hints": []}


def _with_defaults(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values.get(name, _DEFAULTS.get(name)) for name in QUESTION_FIELDS}


def _columns(values: Mapping[str, Any]) -> dict[str, Any]:
    return {_COLUMN.get(name, name): value for name, value in values.items()}


def label_rows(question_id: int, companies: Sequence[str], tags: Sequence[str]) -> list[dict]:
    """A question's label rows: one per distinct company and tag."""
    return [
        {"question_id": question_id, "kind": kind, "value": value}
        for kind, values in (("company", companies), ("tag", tags))
        for value in dict.fromkeys(values)
    ]
