"""The feedback panel of the result page: start the work after a submission, render the panel."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from app.extensions import db
from app.models import Feedback

from .service import start_feedback
from .settings import LLMSettings
from .tasks import tasks


def settings() -> LLMSettings:
    return LLMSettings.from_config(current_app.config)


def ask_for_feedback(user_id: int, attempt_id: int) -> Feedback | None:
    """Start (or reuse) feedback for an attempt and queue the work; a no-op when it is off."""
    if not LLMSettings.enabled_in(current_app.config):
        return None  # checked first and cheaply: every submission comes through here
    record, needs_task = start_feedback(db.request_session(), settings(), user_id, attempt_id)
    if record is not None and needs_task:
        tasks.enqueue_feedback(record.id)
    return record


def render_feedback(record: Feedback | None, answer: str, criteria: list[dict[str, Any]]) -> str:
    """The panel; `criteria` are the stored score's, for titles and the rubric's levels."""
    return render_template(
        "practice/_feedback.html",
        feedback=record,
        enabled=settings().enabled,
        answer=answer,
        rubric={c["id"]: c for c in criteria},
    )
