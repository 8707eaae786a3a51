"""The coach's blueprint: author, version and publish rubrics (calibration and review come next)."""

from flask import Blueprint

bp = Blueprint("coach", __name__, url_prefix="/coach")

from . import views  # noqa: E402,F401  (registers the routes)
