"""The coach's blueprint: author, calibrate and publish rubrics, and review shared answers."""

from flask import Blueprint

bp = Blueprint("coach", __name__, url_prefix="/coach")

from . import reviews, views  # noqa: E402,F401  (registers the routes)
