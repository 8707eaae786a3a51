"""Spoken answers: the recording upload, its transcription's status, and a kept recording's
playback and deletion. Every route is the owner's alone; voice is offered only when the `voice`
extra is installed."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.extensions import db
from app.feedback.tasks import tasks
from app.models import Transcription
from app.voice.service import (
    Delivery,
    RecordingError,
    TranscriptionNotFound,
    delete_audio,
    delivery_of_attempt,
    get_transcription,
    start_transcription,
)
from app.voice.speech import voice_available

from . import bp
from .services import QuestionRetired


@bp.app_template_global("voice_recorder")
def voice_recorder(slug: str) -> dict[str, Any] | None:
    """What the answer page's "Answer aloud" needs, or None when voice is not offered (the extra
    is not installed, or nobody is logged in)."""
    if not (voice_available() and current_user.is_authenticated):
        return None
    return {
        "upload_url": url_for("practice.upload_recording", slug=slug),
        "max_seconds": int(current_app.config["VOICE_MAX_SECONDS"]),
        "max_bytes": int(float(current_app.config["VOICE_MAX_MB"]) * 2**20),
    }


@bp.app_template_global("delivery_for")
def delivery_for(attempt_id: int) -> Delivery | None:
    """The delivery figures of the recording an attempt was answered with, if it was spoken.
    The page calling it has already checked who may see the attempt."""
    return delivery_of_attempt(db.request_session(), attempt_id)


def _owned(transcription_id: int) -> Transcription:
    try:
        return get_transcription(db.request_session(), current_user.id, transcription_id)
    except TranscriptionNotFound:
        abort(404)


@bp.post("/questions/<slug>/recordings")
@login_required
def upload_recording(slug: str) -> tuple[Response, int]:
    """A recording from the answer page (multipart: `audio`, and `keep_audio` to keep it)."""
    if not voice_available():
        abort(404)
    upload = request.files.get("audio")
    try:
        row = start_transcription(
            db.request_session(),
            current_user.id,
            slug,
            upload.read() if upload else b"",
            (upload.mimetype if upload else "") or "",
            keep_audio=request.form.get("keep_audio") in {"1", "on", "true"},
            max_bytes=int(float(current_app.config["VOICE_MAX_MB"]) * 2**20),
        )
    except RecordingError as refused:
        return jsonify(error=str(refused), field=refused.field), refused.status
    except QuestionRetired as retired:
        return jsonify(error=str(retired), field="question"), 409
    tasks.enqueue_transcription(row.id)
    status_url = url_for("practice.recording", transcription_id=row.id)
    return jsonify(id=row.id, status=row.status, status_url=status_url), 202


@bp.get("/recordings/<id:transcription_id>")
@login_required
def recording(transcription_id: int) -> Response:
    """The transcription's state, which the answer page polls until it is done or failed."""
    row = _owned(transcription_id)
    return jsonify(
        id=row.id,
        status=row.status,
        transcript=row.transcript,
        delivery=row.delivery,
        error=row.error,
        kept=row.audio is not None,
    )


@bp.get("/recordings/<id:transcription_id>/audio")
@login_required
def recording_audio(transcription_id: int) -> Response:
    row = _owned(transcription_id)
    if row.audio is None:
        abort(404)
    response = Response(row.audio, mimetype=row.audio_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/recordings/<id:transcription_id>/audio/delete")
@login_required
def delete_recording_audio(transcription_id: int) -> Response:
    try:
        row = delete_audio(db.request_session(), current_user.id, transcription_id)
    except TranscriptionNotFound:
        abort(404)
    flash("Your recording is deleted; its transcript and figures stay.", "success")
    if row.attempt_id is not None:
        return redirect(url_for("practice.attempt", attempt_id=row.attempt_id))
    return redirect(url_for("practice.questions"))
