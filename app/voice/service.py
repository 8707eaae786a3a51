"""Spoken answers: keep a recording, transcribe it in the background, link it to the attempt it
became, and show its delivery figures. Plain functions over a database session.

Only the owner ever reaches a recording, its transcript or its audio; for anyone else it does
not exist. The audio is deleted once transcribed unless the candidate chose to keep it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.models import Attempt, Transcription, TranscriptionStatus, utcnow

log = logging.getLogger(__name__)

# What a recording's first bytes say it is, and the type it is played back as: the type the
# browser declared is never echoed back, so a "recording" can never be served as a page.
_AUDIO_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x1a\x45\xdf\xa3", "audio/webm"),  # WebM / Matroska (Chromium, Firefox)
    (0, b"OggS", "audio/ogg"),  # Ogg Opus or Vorbis (Firefox)
    (8, b"WAVE", "audio/wav"),  # RIFF....WAVE
    (4, b"ftyp", "audio/mp4"),  # MP4 / M4A (Safari)
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
)


class RecordingError(ValueError):
    """An upload the server refuses, with the field and the reason (a 400, or 413 if too big)."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


class TranscriptionNotFound(LookupError):
    """No such recording for this user: the same answer whether missing or someone else's."""


def sniff_audio_type(audio: bytes) -> str | None:
    """The audio format a file's first bytes announce, or None when they announce none."""
    for offset, signature, kind in _AUDIO_SIGNATURES:
        if audio[offset : offset + len(signature)] == signature:
            return kind
    if len(audio) > 1 and audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MPEG audio frame with no ID3 tag
    return None


def check_recording(audio: bytes, declared_type: str, max_bytes: int) -> str:
    """The recording's audio type, or a RecordingError saying what is wrong with the upload."""
    if not audio:
        raise RecordingError("audio", "The recording is empty: nothing was heard. Record again.")
    if len(audio) > max_bytes:
        raise RecordingError(
            "audio",
            f"The recording is over the {max_bytes / 2**20:g} MB limit: record a shorter answer.",
            status=413,
        )
    declared = declared_type.split(";")[0].strip().lower()
    kind = sniff_audio_type(audio)
    if not declared.startswith(("audio/", "video/webm")) or kind is None:
        raise RecordingError(
            "audio",
            "That file is not a recording this server can read: send WebM, Ogg, WAV, MP4, "
            "MP3 or FLAC audio.",
        )
    return kind


def start_transcription(
    session: Session,
    user_id: int,
    slug: str,
    audio: bytes,
    declared_type: str,
    keep_audio: bool,
    max_bytes: int,
) -> Transcription:
    """Store a recording for the background task to transcribe (raises RecordingError,
    QuestionNotFound or QuestionRetired)."""
    from app.practice.services import QuestionRetired, get_question  # the blueprint imports us

    question = get_question(session, slug)
    if question.retired_at is not None:
        raise QuestionRetired(slug)
    kind = check_recording(audio, declared_type, max_bytes)
    row = Transcription(
        user_id=user_id,
        question_id=question.id,
        audio=audio,
        audio_type=kind,
        keep_audio=keep_audio,
    )
    session.add(row)
    session.commit()
    return row


def run_transcription(session: Session, transcription_id: int, max_seconds: float) -> None:
    """Transcribe a pending recording (the background task). Whatever happens it ends as done
    or as failed with a reason the page shows; the audio goes unless the candidate kept it."""
    from .delivery import delivery_figures
    from .speech import MODEL_NAME, RecordingRefused, transcribe

    row = session.get(Transcription, transcription_id)
    if row is None or row.status != TranscriptionStatus.PENDING or row.audio is None:
        return
    row.model = MODEL_NAME
    try:
        transcript = transcribe(row.audio, max_seconds)
    except RecordingRefused as refused:
        _fail(row, str(refused))
    except Exception:
        log.exception("transcription %s failed", transcription_id)
        _fail(row, "the speech model failed on this recording; please record it again")
    else:
        if not transcript.words:
            _fail(row, "no speech was heard in the recording (is the microphone muted?)")
        else:
            row.status = TranscriptionStatus.DONE
            row.transcript = transcript.text
            row.delivery = delivery_figures(transcript.words)
            if not row.keep_audio:
                row.audio = None
    row.finished_at = utcnow()
    session.add(row)
    session.commit()


def _fail(row: Transcription, reason: str) -> None:
    row.status = TranscriptionStatus.FAILED
    row.error = reason[:500]
    row.audio = None  # nothing worth keeping: it could not be transcribed


def get_transcription(session: Session, user_id: int, transcription_id: int) -> Transcription:
    row = session.get(Transcription, transcription_id)
    if row is None or row.user_id != user_id:
        raise TranscriptionNotFound(transcription_id)
    return row


def attach_to_attempt(
    session: Session, user_id: int, transcription_id: int | None, attempt_id: int
) -> None:
    """Link the recording an answer came from to the attempt it was submitted as, so the result
    page shows its delivery figures. Ignores a missing id, another user's recording or attempt,
    another question's recording and a recording already linked to an attempt."""
    if transcription_id is None:
        return
    row = session.get(Transcription, transcription_id)
    attempt = session.get(Attempt, attempt_id)
    if (
        row is None
        or attempt is None
        or row.user_id != user_id
        or attempt.user_id != user_id
        or row.question_id != attempt.question_id
        or row.attempt_id is not None
    ):
        return
    row.attempt_id = attempt_id
    session.add(row)
    session.commit()


@dataclass(frozen=True)
class Delivery:
    """What the result page shows of a spoken answer."""

    transcription_id: int
    owner_id: int
    figures: dict[str, Any]
    has_audio: bool
    audio_type: str


def delivery_of_attempt(session: Session, attempt_id: int) -> Delivery | None:
    """The delivery figures of the newest transcribed recording linked to an attempt. The
    caller has already checked who may see the attempt; only its owner may play the audio."""
    row = session.exec(
        select(Transcription)
        .where(
            Transcription.attempt_id == attempt_id,
            Transcription.status == TranscriptionStatus.DONE,
        )
        .order_by(Transcription.id.desc())  # type: ignore[union-attr]
    ).first()
    if row is None or row.delivery is None:
        return None
    return Delivery(
        transcription_id=row.id,
        owner_id=row.user_id,
        figures=row.delivery,
        has_audio=row.audio is not None,
        audio_type=row.audio_type,
    )


def delete_audio(session: Session, user_id: int, transcription_id: int) -> Transcription:
    """The owner deletes a kept recording; its transcript and figures stay."""
    row = get_transcription(session, user_id, transcription_id)
    row.audio = None
    row.keep_audio = False
    session.add(row)
    session.commit()
    return row
