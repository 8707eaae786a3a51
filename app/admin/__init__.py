"""The admin's blueprint: users, questions, and bank import and export."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import bank, questions, users  # noqa: E402,F401  (register the routes)
