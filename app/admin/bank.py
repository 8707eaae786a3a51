"""Admins import question banks (preview, then apply) and export them."""

from __future__ import annotations

from app.auth.access import role_required
from app.models import Role

from . import bp


@bp.get("/bank")
@role_required(Role.ADMIN)
def bank() -> str:
    return "Import and export: coming in this change."
