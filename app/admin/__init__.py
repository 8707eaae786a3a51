"""The admin's blueprint: users, questions, and bank import and export. Every route, GET or
POST, is for admins only, by the one rule below."""

from flask import Blueprint

from app.auth.access import role_required
from app.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Log in first; then admins only (403 for everyone else)."""


from . import audit, bank, questions, users  # noqa: E402,F401  (register the routes)
