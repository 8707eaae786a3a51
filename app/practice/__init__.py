"""The candidate's blueprint: browse questions, answer them, see scores."""

from flask import Blueprint

bp = Blueprint("practice", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
