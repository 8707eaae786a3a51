"""The audit log: what admins and coaches did that others should be able to look back on.

Views call `record()` right after the service succeeded (a refused or failed action writes
nothing); the admin page /admin/audit lists the entries, newest first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app.models import AuditEntry, User

# Every action the log knows, with how the admin page names it: one entry each, so a new kind of
# action is one more line here, and the page's filter offers it at once.
ACTIONS: dict[str, str] = {
    "user.approve": "Sign-up approved",
    "user.role": "Role changed",
    "user.deactivate": "Account deactivated",
    "user.reactivate": "Account reactivated",
    "user.reset_link": "Password-reset link issued",
    "bank.import": "Bank import applied",
    "question.create": "Question created",
    "question.edit": "Question edited",
    "question.retire": "Question retired",
    "question.restore": "Question restored",
    "rubric.publish": "Rubric version published",
    "rubric.retire": "Rubric version retired",
    "review.override": "Level overridden",
    "review.revert": "Level override reverted",
}


def record(
    session: Session, actor_id: int | None, action: str, target: str, **detail: Any
) -> AuditEntry:
    """Write one entry (and commit it). `target` is what the action was done to, as people read
    it (an email, a question's slug, `rubric-id v3`); `detail` holds the rest as JSON."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to app.audit.ACTIONS")
    entry = AuditEntry(actor_id=actor_id, action=action, target=target[:200], detail=detail)
    session.add(entry)
    session.commit()
    return entry


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_email: str | None  # None: the command line, or an account deleted since


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int


def audit_page(
    session: Session, page: int = 1, per_page: int = 50, action: str | None = None
) -> AuditPage:
    """One page of the log, newest first, optionally of one action only. A page past the end
    is the last one."""
    where = [AuditEntry.action == action] if action else []
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*where)).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    query = (
        select(AuditEntry, User.email)
        .join(User, col(AuditEntry.actor_id) == User.id, isouter=True)
        .where(*where)
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [AuditRow(entry, email) for entry, email in session.exec(query)]
    return AuditPage(rows=rows, page=page, pages=pages, total=total)
