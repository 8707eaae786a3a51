"""PM Interview Coach: practise product-manager interview questions, get explainable scores."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template

from .config import DefaultConfig, finalise_config
from .extensions import db
from .markdown import render_markdown


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory: `flask --app app run`, `coach run` and `gunicorn 'app:create_app()'`."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "COACH_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        static_folder="../static",
    )
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("COACH")
    if test_config:
        app.config.update(test_config)
    finalise_config(app)

    db.init_app(app)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(lambda args, page: {**args, "page": page}, "combine_page")

    from .practice import bp as practice_bp

    app.register_blueprint(practice_bp)

    from .cli import register_commands

    register_commands(app)
    _register_error_pages(app)
    return app


def _register_error_pages(app: Flask) -> None:
    def page(code: int, title: str, message: str) -> tuple[str, int]:
        return render_template("errors/error.html", code=code, title=title, message=message), code

    app.register_error_handler(404, lambda _e: page(404, "Not found", "There is no such page."))
    app.register_error_handler(
        405, lambda _e: page(405, "Not allowed", "That action is not allowed here.")
    )
    app.register_error_handler(
        500,
        lambda _e: page(
            500, "Something went wrong", "The error has been logged. Please try again."
        ),
    )
