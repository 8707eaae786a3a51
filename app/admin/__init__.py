"""The admin's blueprint: users and roles (bank import and export come later)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401  (registers the routes)
