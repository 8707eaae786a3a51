"""Admins create, edit, retire and restore questions."""

from __future__ import annotations

from app.auth.access import role_required
from app.models import Role

from . import bp


@bp.get("/questions")
@role_required(Role.ADMIN)
def questions() -> str:
    return "Questions: coming in this change."
