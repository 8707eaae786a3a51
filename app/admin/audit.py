"""The audit log, for admins: who changed roles, accounts, questions, rubrics and levels."""

from __future__ import annotations

from flask import current_app, render_template, request

from app.audit import ACTIONS, audit_page
from app.extensions import db

from . import bp


@bp.get("/audit")
def audit() -> str:
    action = request.args.get("action", "")
    action = action if action in ACTIONS else ""
    page = audit_page(
        db.request_session(),
        page=request.args.get("page", 1, type=int) or 1,
        per_page=current_app.config.get("AUDIT_PER_PAGE", 50),
        action=action or None,
    )
    args = {"action": action} if action else {}
    return render_template("admin/audit.html", page=page, action=action, actions=ACTIONS, args=args)
