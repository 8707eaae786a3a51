"""Bank imports from the browser: an upload is kept in the import log between its preview and
its apply, and a large one is applied by the background task queue with its progress shown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from app.audit import record
from app.extensions import cache, forget_question_pages
from app.models import BankImport, ImportStatus, User

from .formats import BankRead, ImportFile, read_bank
from .importer import ImportPlan, Progress, apply_import, import_limits, preview_import


class ImportNotFound(LookupError):
    pass


class ImportNotPending(ValueError):
    """The import was applied (or is being applied) already, or was refused."""


def read_upload(log: BankImport, config: Mapping[str, Any]) -> BankRead:
    if log.payload is None:
        raise ImportNotPending(log.id)
    return read_bank(
        [ImportFile(log.files[0], log.payload)],
        format=None if log.format == "auto" else log.format,
        default_rubric=log.rubric_id,
        limits=import_limits(config),
    )


def preview_upload(
    session: Session,
    user_id: int,
    name: str,
    data: bytes,
    format_name: str | None,
    rubric_id: str | None,
    config: Mapping[str, Any],
) -> tuple[BankImport, ImportPlan]:
    """Read an uploaded file and plan its import. A file with problems is logged as refused;
    one without is kept for the apply."""
    log = BankImport(
        user_id=user_id, files=[name], format=format_name or "auto", rubric_id=rubric_id
    )
    log.payload = data
    plan = preview_import(session, read_upload(log, config))
    log.counts = plan.counts
    if plan.problems:
        log.status = ImportStatus.FAILED
        log.message = f"Refused at preview: {plan.describe()}."
        log.payload = None
    session.add(log)
    session.commit()
    return log, plan


def get_import(session: Session, import_id: int) -> BankImport:
    log = session.get(BankImport, import_id)
    if log is None:
        raise ImportNotFound(import_id)
    return log


def preview_pending(session: Session, log: BankImport, config: Mapping[str, Any]) -> ImportPlan:
    """The preview of an import not yet applied, against the bank as it is now."""
    return preview_import(session, read_upload(log, config))


def claim_for_apply(session: Session, import_id: int) -> None:
    """Mark a previewed import as being applied, once: a second click, or a second admin,
    finds it claimed and applies nothing."""
    claimed = session.execute(
        update(BankImport)
        .where(BankImport.id == import_id, BankImport.status == ImportStatus.PREVIEWED)  # type: ignore[arg-type]
        .values(status=ImportStatus.RUNNING)
    ).rowcount
    session.commit()
    if not claimed:
        raise ImportNotPending(import_id)


def apply_upload(
    session: Session, import_id: int, config: Mapping[str, Any], progress: Progress | None = None
) -> ImportPlan:
    """Apply a claimed import all-or-nothing (`SourceError` if the bank no longer allows it)."""
    log = get_import(session, import_id)
    plan = apply_import(session, read_upload(log, config), log, progress)
    forget_question_pages(change.slug for change in plan.changed)
    record(  # here, not in the view: an import applied in the background is logged too
        session,
        log.user_id,
        "bank.import",
        ", ".join(log.files),
        import_id=import_id,
        summary=plan.describe(),
    )
    return plan


def record_progress(import_id: int, done: int, total: int) -> None:
    """Progress lives in the cache, not the database: the import's own transaction holds the
    write lock until it ends (COACH_CACHE_TYPE=RedisCache shares it with separate workers)."""
    cache.set(f"bank-import:{import_id}", [done, total], timeout=3600)


def import_progress(import_id: int) -> tuple[int, int] | None:
    value = cache.get(f"bank-import:{import_id}")
    return (int(value[0]), int(value[1])) if value else None


def recent_imports(session: Session, limit: int = 20) -> list[tuple[BankImport, str | None]]:
    """The import log, newest first, with who imported (None: the command line)."""
    rows = session.exec(
        select(BankImport, User.email)
        .join(User, User.id == BankImport.user_id, isouter=True)  # type: ignore[arg-type]
        .order_by(BankImport.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    ).all()
    return [(log, email) for log, email in rows]
