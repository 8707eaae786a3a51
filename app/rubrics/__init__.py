"""Published rubrics, readable by anyone: every score links to the version that produced it."""

from flask import Blueprint

bp = Blueprint("rubrics", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
