"""Accounts: register, log in, log out; role checks for every other blueprint."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
