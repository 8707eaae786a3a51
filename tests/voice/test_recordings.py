"""Spoken answers through the app: speech synthesised by espeak-ng is posted to the real route,
transcribed by the real local model in the in-process task consumer, and read back.

Skipped, with the reason, only when the `voice` extra is not installed (CI installs it)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import render_template
from flask_login import login_user
from sqlmodel import select

from app.bank.questions import retire_question
from app.extensions import db
from app.models import Attempt, Question, Transcription, User
from app.practice.mock import start_by_filters
from app.voice.service import attach_to_attempt
from app.voice.speech import voice_available
from tests.conftest import AuthActions, csrf_from, make_app

pytestmark = pytest.mark.skipif(
    not voice_available(),
    reason="the voice extra is not installed: pip install -e '.[voice]' (make install does)",
)

QUESTION = "/questions/worldwide-outage"
# A spoken answer with a filler and, between its sentences, a four-second silence.
SPOKEN = (
    '<speak>So, um, I would roll back the release first. <break time="4s"/> '
    "Then I would tell customers what happened.</speak>"
)


def speak(folder: Path, ssml: str, name: str = "answer.wav") -> bytes:
    """A WAV of espeak-ng reading `ssml` (SSML, so a pause can be written as a break)."""
    program = shutil.which("espeak-ng")
    if program is None:
        pytest.fail("espeak-ng is missing: `make test` installs it", pytrace=False)
    path = folder / name
    subprocess.run([program, "-m", "-w", str(path), ssml], check=True, capture_output=True)
    return path.read_bytes()


@pytest.fixture
def voice_app(tmp_path, seeded_database):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, TASK_CONSUMER="in-process")
    yield app
    app.extensions["tasks"].stop_consumer()


@pytest.fixture
def candidate(voice_app):
    client = voice_app.test_client()
    AuthActions(client).register_candidate()
    return client


def post_recording(client, audio: bytes, keep: bool = False, mimetype: str = "audio/wav"):
    token = csrf_from(client.get(QUESTION).text)
    data = {"audio": (io.BytesIO(audio), "answer.wav", mimetype), "csrf_token": token}
    if keep:
        data["keep_audio"] = "1"
    return client.post(QUESTION + "/recordings", data=data, content_type="multipart/form-data")


def wait_for_transcription(client, status_url: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        reply = client.get(status_url).get_json()
        if reply["status"] != "pending":
            return reply
        assert time.monotonic() < deadline, f"still pending after {seconds} s"
        time.sleep(0.1)


def transcribe(client, audio: bytes, keep: bool = False) -> dict:
    response = post_recording(client, audio, keep)
    assert response.status_code == 202, response.text
    return wait_for_transcription(client, response.get_json()["status_url"])


def submit(client, text: str) -> int:
    token = csrf_from(client.get(QUESTION).text)
    response = client.post(QUESTION + "/submit", data={"answer_text": text, "csrf_token": token})
    return int(re.search(r"/attempts/(\d+)$", response.headers["Location"]).group(1))


def stored(app, transcription_id: int) -> Transcription:
    with app.app_context(), db.session() as session:
        return session.get(Transcription, transcription_id)


def test_a_spoken_answer_is_transcribed_with_its_filler_and_its_pause(
    voice_app, candidate, tmp_path
):
    reply = transcribe(candidate, speak(tmp_path, SPOKEN))

    assert reply["status"] == "done", reply["error"]
    words = re.sub(r"[^\w\s]", "", reply["transcript"].lower()).split()
    for word in ("roll", "back", "release", "first", "tell", "customers", "happened"):
        assert word in words
    figures = reply["delivery"]
    assert figures["fillers"]["counts"].get("um") == 1
    assert figures["pauses"]["count"] == 1
    assert 2.5 < figures["pauses"]["longest_seconds"] < 4.5
    assert 6 < figures["speaking_seconds"] < 11
    assert 80 < figures["words_per_minute"] < 250
    # Not kept: the audio is gone once transcribed.
    assert stored(voice_app, reply["id"]).audio is None
    assert candidate.get(f"/recordings/{reply['id']}/audio").status_code == 404


def test_a_kept_recording_plays_back_beside_the_figures_until_its_owner_deletes_it(
    voice_app, candidate, tmp_path
):
    audio = speak(tmp_path, "<speak>I would roll back the release first.</speak>")
    reply = transcribe(candidate, audio, keep=True)
    assert reply["status"] == "done", reply["error"]
    playback = candidate.get(f"/recordings/{reply['id']}/audio")
    assert playback.status_code == 200
    assert playback.mimetype == "audio/wav"
    assert playback.data == audio

    attempt = submit(candidate, reply["transcript"])
    with voice_app.app_context(), db.session() as session:
        user = session.exec(select(User).where(User.email == "candidate@example.com")).one()
        attach_to_attempt(session, user.id, reply["id"], attempt)
    page = candidate.get(f"/attempts/{attempt}").text
    assert "How you spoke" in page
    assert f'src="/recordings/{reply["id"]}/audio"' in page

    token = csrf_from(page)
    deleted = candidate.post(f"/recordings/{reply['id']}/audio/delete", data={"csrf_token": token})
    assert deleted.headers["Location"].endswith(f"/attempts/{attempt}")
    assert candidate.get(f"/recordings/{reply['id']}/audio").status_code == 404
    page = candidate.get(f"/attempts/{attempt}").text
    assert "How you spoke" in page  # the figures stay
    assert "/audio" not in page


def test_another_candidates_recording_is_404_everywhere(voice_app, candidate, tmp_path):
    reply = transcribe(candidate, speak(tmp_path, "<speak>We rolled back.</speak>"), keep=True)
    stranger = voice_app.test_client()
    AuthActions(stranger).register("stranger@example.com")
    token = csrf_from(stranger.get(QUESTION).text)
    assert stranger.get(f"/recordings/{reply['id']}").status_code == 404
    assert stranger.get(f"/recordings/{reply['id']}/audio").status_code == 404
    response = stranger.post(f"/recordings/{reply['id']}/audio/delete", data={"csrf_token": token})
    assert response.status_code == 404
    assert stored(voice_app, reply["id"]).audio is not None
    anonymous = voice_app.test_client()
    assert anonymous.get(f"/recordings/{reply['id']}").status_code == 302  # to log in


@pytest.mark.parametrize(
    ("audio", "mimetype", "message"),
    [
        (b"", "audio/wav", "empty"),
        (b"<html><script>alert(1)</script></html>", "audio/wav", "not a recording"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "text/html", "not a recording"),
    ],
)
def test_empty_and_non_audio_uploads_are_refused_by_name(
    voice_app, candidate, audio, mimetype, message
):
    response = post_recording(candidate, audio, mimetype=mimetype)
    assert response.status_code == 400
    assert response.get_json()["field"] == "audio"
    assert message in response.get_json()["error"]
    with voice_app.app_context(), db.session() as session:
        assert session.exec(select(Transcription)).first() is None


def test_a_recording_over_the_size_limit_is_refused_before_it_is_read(tmp_path, seeded_database):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, VOICE_MAX_MB=0.5)
    client = app.test_client()
    AuthActions(client).register_candidate()
    too_big = b"RIFF\x00\x00\x00\x00WAVE" + bytes(700 * 1024)
    response = post_recording(client, too_big)
    assert response.status_code == 413
    just_over = b"RIFF\x00\x00\x00\x00WAVE" + bytes(512 * 1024)  # over 0.5 MB, within the form
    response = post_recording(client, just_over)
    assert response.status_code == 413
    assert "0.5 MB" in response.get_json()["error"]


def test_the_audio_route_alone_accepts_more_than_the_request_limit(voice_app, candidate):
    body = b"RIFF\x00\x00\x00\x00WAVE" + bytes(400 * 1024)  # over MAX_REQUEST_KB (256)
    assert post_recording(candidate, body).status_code == 202
    token = csrf_from(candidate.get(QUESTION).text)
    response = candidate.post(
        QUESTION + "/draft", data={"answer_text": "x" * (400 * 1024), "csrf_token": token}
    )
    assert response.status_code == 413


def test_undecodable_audio_ends_as_failed_with_the_reason(voice_app, candidate):
    garbage = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8
    response = post_recording(candidate, garbage)
    assert response.status_code == 202
    reply = wait_for_transcription(candidate, response.get_json()["status_url"])
    assert reply["status"] == "failed"
    assert "could not be read as audio" in reply["error"]
    assert stored(voice_app, reply["id"]).audio is None


def test_a_recording_longer_than_the_limit_is_not_transcribed(tmp_path, seeded_database):
    shutil.copy(seeded_database, tmp_path / "coach.db")
    app = make_app(tmp_path, TASK_CONSUMER="in-process", VOICE_MAX_SECONDS=2)
    try:
        client = app.test_client()
        AuthActions(client).register_candidate()
        response = post_recording(client, speak(tmp_path, SPOKEN))
        reply = wait_for_transcription(client, response.get_json()["status_url"])
        assert reply["status"] == "failed"
        assert "minutes long" in reply["error"]
    finally:
        app.extensions["tasks"].stop_consumer()


def test_a_retired_question_takes_no_recording(voice_app, candidate, tmp_path):
    with voice_app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == "worldwide-outage")).one()
        token = csrf_from(candidate.get(QUESTION).text)
        retire_question(session, question.id)
    response = candidate.post(
        QUESTION + "/recordings",
        data={
            "audio": (io.BytesIO(b"OggS" + bytes(64)), "a.ogg", "audio/ogg"),
            "csrf_token": token,
        },
    )
    assert response.status_code == 409
    assert "retired" in response.get_json()["error"]


def test_attach_to_attempt_links_only_the_owners_recording_of_that_question(voice_app, candidate):
    attempt = submit(candidate, "I would roll back the release first and tell customers.")
    with voice_app.app_context(), db.session() as session:
        owner = session.exec(select(User).where(User.email == "candidate@example.com")).one()
        other = session.exec(select(User).where(User.email == "admin-first@example.com")).one()
        outage = session.get(Attempt, attempt).question_id
        elsewhere = session.exec(select(Question).where(Question.id != outage)).first()
        mine = Transcription(user_id=owner.id, question_id=outage, status="done")
        theirs = Transcription(user_id=other.id, question_id=outage, status="done")
        wrong_question = Transcription(user_id=owner.id, question_id=elsewhere.id, status="done")
        session.add_all([mine, theirs, wrong_question])
        session.commit()

        attach_to_attempt(session, owner.id, None, attempt)
        attach_to_attempt(session, owner.id, 10**9, attempt)
        attach_to_attempt(session, owner.id, theirs.id, attempt)
        attach_to_attempt(session, other.id, theirs.id, attempt)  # not their attempt
        attach_to_attempt(session, owner.id, wrong_question.id, attempt)
        attach_to_attempt(session, owner.id, mine.id, attempt)
        for row in (mine, theirs, wrong_question):
            session.refresh(row)
        assert (mine.attempt_id, theirs.attempt_id, wrong_question.attempt_id) == (
            attempt,
            None,
            None,
        )


def test_the_recorder_is_offered_only_to_a_logged_in_user(voice_app):
    with voice_app.app_context(), db.session() as session:
        question = session.exec(select(Question).where(Question.slug == "worldwide-outage")).one()
        user = User(email="voice@example.com", password_hash="x")
        session.add(user)
        session.commit()
        with voice_app.test_request_context(QUESTION):
            assert render_template("practice/_voice.html", question=question).strip() == ""
            login_user(user)
            html = render_template("practice/_voice.html", question=question)
    assert 'id="voice"' in html
    assert 'data-upload-url="/questions/worldwide-outage/recordings"' in html
    assert "Answer aloud" in html
    assert "<script src=" in html and "js/voice.js" in html


def test_a_mock_interview_question_can_be_answered_aloud(voice_app, candidate):
    with voice_app.app_context(), db.session() as session:
        user = session.exec(select(User).where(User.role == "candidate")).one()
        mock = start_by_filters(session, user.id, 3)
    page = candidate.get(f"/mock/{mock.id}").text
    assert 'id="voice"' in page and "Answer aloud" in page
    # Inside the mock's own form, whose answer box the transcript fills.
    start = page.index('<form id="mock-form"')
    form = page[start : page.index("</form>", start)]
    assert 'id="voice"' in form and 'name="answer_text"' in form


def test_importing_the_app_does_not_import_the_speech_model(tmp_path):
    code = (
        "import sys, app; app.create_app({'TESTING': True, 'INSTANCE_PATH': sys.argv[1]}); "
        "print(sorted(m for m in ('faster_whisper', 'ctranslate2', 'av', 'onnxruntime') "
        "if m in sys.modules))"
    )
    with_app = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert with_app.stdout.strip() == "[]"


def test_transcribing_never_touches_the_network(tmp_path):
    """In a fresh process whose every socket connection fails (the model loaded from scratch,
    no HF_HUB_OFFLINE set beforehand), a recording is still transcribed."""
    wav = tmp_path / "answer.wav"
    wav.write_bytes(speak(tmp_path, "<speak>We rolled back the release.</speak>"))
    code = (
        "import os, socket, sys\n"
        "os.environ.pop('HF_HUB_OFFLINE', None)\n"
        "def refuse(*args, **kwargs):\n"
        "    raise OSError('this test allows no network')\n"
        "socket.socket.connect = refuse\n"
        "socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        "from app.voice.speech import transcribe\n"
        "print(transcribe(open(sys.argv[1], 'rb').read()).text)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(wav)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "back the release" in result.stdout.lower()


def test_the_figures_show_to_whoever_sees_the_attempt_but_only_the_owner_gets_the_audio(
    voice_app, candidate
):
    attempt = submit(candidate, "I would roll back the release first and tell customers.")
    figures = {
        "speaking_seconds": 75.0,
        "word_count": 180,
        "words_per_minute": 144,
        "fillers": {"total": 3, "counts": {"um": 2, "like": 1}},
        "pauses": {"threshold_seconds": 2.0, "count": 2, "longest_seconds": 3.4},
    }
    with voice_app.app_context(), db.session() as session:
        owner = session.exec(select(User).where(User.email == "candidate@example.com")).one()
        coach = session.exec(select(User).where(User.email == "admin-first@example.com")).one()
        row = Transcription(
            user_id=owner.id,
            question_id=session.get(Attempt, attempt).question_id,
            attempt_id=attempt,
            status="done",
            audio=b"OggS" + bytes(64),
            audio_type="audio/ogg",
            keep_audio=True,
            delivery=figures,
        )
        session.add(row)
        session.commit()
        pages = {}
        for user in (owner, coach):
            with voice_app.test_request_context(f"/attempts/{attempt}"):
                login_user(user)
                pages[user.email] = render_template("practice/_delivery.html", attempt_id=attempt)
    for html in pages.values():
        assert "How you spoke" in html
        assert ">1 min 15 s<" in html
        assert ">144<" in html
        assert "“um” × 2" in html and "“like” × 1" in html
        assert "2, the longest 3.4 s" in html
    assert f"/recordings/{row.id}/audio" in pages["candidate@example.com"]
    assert "/audio" not in pages["admin-first@example.com"]
    assert "Delete my recording" not in pages["admin-first@example.com"]
