"""The candidate's blueprint: browse questions, answer them, see scores."""

from flask import Blueprint

bp = Blueprint("practice", __name__)

from . import follow_up_views, mock_views, views, voice_views  # noqa: E402,F401  (the routes)
