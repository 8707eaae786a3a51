"""PM Interview Coach: practise product-manager interview questions, get explainable scores."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import DefaultConfig, finalise_config
from .request_overhead import CoachFlask

# Only Flask, SQLAlchemy and the standard library are imported with the package: the web parts
# (extensions, models, views) are imported by create_app, so a command that only reads the
# database, like `coach score`, never pays for them.


class RowIdConverter(IntegerConverter):
    """`<id:attempt_id>`: a number no row can have matches no route, so it is a 404 like any
    other missing row, not a database overflow."""

    def __init__(self, url_map: Any) -> None:
        from .models import MAX_ROW_ID

        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def configured_app(test_config: Mapping[str, Any] | None = None) -> CoachFlask:
    """The app with its settings (defaults, COACH_* variables, the instance folder) and nothing
    else: what a command that only reads the database needs."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "COACH_INSTANCE_PATH"
    )
    app = CoachFlask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        # Inside the package when installed from the wheel, else the checkout's top level.
        static_folder="static"
        if os.path.isdir(f"{os.path.dirname(__file__)}/static")
        else "../static",
    )
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("COACH")
    if test_config:
        app.config.update(test_config)
    finalise_config(app)
    return app


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory: `flask --app app run`, `coach run` and `gunicorn 'app:create_app()'`."""
    from .extensions import cache, csrf, db, limiter, login_manager
    from .markdown import render_markdown

    app = configured_app(test_config)
    app.url_map.converters["id"] = RowIdConverter
    if proxies := int(app.config["PROXY_COUNT"]):
        # Only the client address: other forwarded headers pass through nginx untouched unless it
        # is set up to overwrite them, so trusting them would let a client choose request.host.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]

    db.init_app(app)
    app.before_request(_larger_uploads)  # before the CSRF check, which reads the body
    csrf.init_app(app)
    login_manager.init_app(app)
    from . import rate_counters  # noqa: F401  (registers the coach-database:// counters)

    limiter.init_app(app)
    cache.init_app(app)
    from .feedback.tasks import tasks

    tasks.init_app(app)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(lambda args, page: {**args, "page": page}, "combine_page")
    from .practice.compare import word_diff
    from .practice.services import score_arithmetic

    app.add_template_global(word_diff, "word_diff")
    app.add_template_global(score_arithmetic, "score_arithmetic")
    from .auth.mail import public_link

    app.add_template_global(functools.partial(public_link, app.config), "public_link")
    from .bank.formats import readable

    app.add_template_global(readable, "type_label")

    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .coach import bp as coach_bp
    from .practice import bp as practice_bp
    from .rubrics import bp as rubrics_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(rubrics_bp)
    app.register_blueprint(coach_bp)
    app.register_blueprint(admin_bp)
    app.after_request(_security_headers)
    from . import observability

    observability.init_app(app)

    from .cli import register_commands

    register_commands(app)
    _register_error_pages(app)
    return app


_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


# (lower-cased name, name, value): the headers every response carries unless a view set its own.
_SECURITY_HEADERS = tuple(
    (name.lower(), name, value)
    for name, value in (
        ("Content-Security-Policy", _CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    )
)
_NO_STORE = ("cache-control", "Cache-Control", "no-store")


def _security_headers(response: Response) -> Response:
    """No inline script or style may run; pages cannot be framed or sniffed. A page may be
    private (a signed-in page, or an error page showing the answer that could not be saved)
    and out of date once left, so the browser never shows one again from its cache (going Back
    after submitting an answer, or after logging out).

    Runs on every response, so the names present are read once: a `headers.setdefault()` per
    header scans and re-validates them all each time, which cost a cached page a tenth of its
    time."""
    present = {name.lower() for name, _ in response.headers}
    wanted = _SECURITY_HEADERS
    if response.mimetype == "text/html":
        wanted += (_NO_STORE,)
    for lowered, name, value in wanted:
        if lowered not in present:
            response.headers.add(name, value)
    return response


# Routes whose bodies may be larger than MAX_REQUEST_KB: a bank upload up to IMPORT_MAX_MB, a
# spoken answer's recording up to VOICE_MAX_MB.
_UPLOAD_ENDPOINTS = {"admin.upload": "IMPORT_MAX_MB", "practice.upload_recording": "VOICE_MAX_MB"}


def _larger_uploads() -> None:
    if setting := _UPLOAD_ENDPOINTS.get(request.endpoint or ""):
        limit = float(current_app.config[setting]) * 1024 * 1024
        request.max_content_length = int(limit) + 64 * 1024  # the form around the file


def _size(limit: int | None) -> str:
    if not limit:
        return "size"
    return f"{limit / 2**20:.0f} MB" if limit >= 2**20 else f"{limit // 1024} KB"


def _register_error_pages(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from .auth.access import AttemptNotFound
    from .extensions import db
    from .practice.services import MAX_ANSWER_CHARS
    from .scoring import QuestionNotFound

    def page(code: int, title: str, message: str) -> tuple[str, int]:
        return render_template("errors/error.html", code=code, title=title, message=message), code

    not_found = lambda _e: page(404, "Not found", "There is no such page.")  # noqa: E731
    app.register_error_handler(404, not_found)
    # Services raise these for a missing question or someone else's attempt: both are a 404.
    app.register_error_handler(QuestionNotFound, not_found)
    app.register_error_handler(AttemptNotFound, not_found)
    app.register_error_handler(
        403, lambda _e: page(403, "Not for your account", "Your role does not open this page.")
    )
    app.register_error_handler(
        405, lambda _e: page(405, "Not allowed", "That action is not allowed here.")
    )
    app.register_error_handler(
        400, lambda _e: page(400, "Bad request", "The form was incomplete or out of date; reload.")
    )
    app.register_error_handler(
        413,
        lambda _e: page(
            413,
            "Too large",
            f"That request is over the {_size(request.max_content_length)} limit; nothing "
            "was read or saved.",
        ),
    )
    app.register_error_handler(
        429,
        lambda _e: page(429, "Too many attempts", "Please wait a minute before trying again."),
    )

    def form_expired(_exc: Exception) -> tuple[str | Response, int]:
        if request.is_json:  # an autosave: the page keeps its text and shows this
            return jsonify(
                error="Not saved: you were logged out, or this page is out of date. Log in "
                "again in another tab, then reload this page."
            ), 400
        # The answer posted with a stale form must not vanish with it: show it to copy. Only
        # as much as an answer can hold, so the page never echoes an arbitrary body back.
        kept_text = request.form.get("answer_text", "")[:MAX_ANSWER_CHARS]
        message = "The form is out of date (were you logged out?). Reload the page, then retry."
        return render_template(
            "errors/error.html",
            code=400,
            title="Form expired",
            message=message,
            kept_text=kept_text,
        ), 400

    app.register_error_handler(CSRFError, form_expired)

    def database_error(exc: SQLAlchemyError) -> tuple[str, int]:
        if db.is_set_up():
            raise exc  # a real fault: the 500 page, with the traceback in the log
        app.logger.error("The database has no tables yet: run `coach init`.")
        return page(
            503,
            "Not set up yet",
            "The database is empty: run coach init on the server, then reload this page.",
        )

    app.register_error_handler(OperationalError, database_error)
    app.register_error_handler(ProgrammingError, database_error)
    app.register_error_handler(
        500,
        lambda _e: page(
            500, "Something went wrong", "The error has been logged. Please try again."
        ),
    )
