"""Work off the request path (AI feedback, rescoring past answers, large bank imports,
transcribing spoken answers), on Huey: SqliteHuey in instance/ by default (consumed by a thread
inside the web process), RedisHuey when COACH_REDIS_URL is set (consumed by `coach worker`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from app.extensions import db

from .service import run_feedback
from .settings import LLMSettings

if TYPE_CHECKING:
    from huey import Huey
    from huey.consumer import Consumer


class TaskQueue:
    """Huey and its storage (and redis) are loaded when the queue is first used, not when the
    app is created: scoring from the command line or serving pages never needs them."""

    def __init__(self) -> None:
        self._app: Flask | None = None
        self._huey: Huey | None = None
        self._consumer: Consumer | None = None
        self._lock = threading.RLock()

    def init_app(self, app: Flask) -> None:
        self._app = app
        self._huey = None  # made afresh, from this app's configuration, on first use
        app.extensions["tasks"] = self
        if app.config.get("TASK_CONSUMER") == "in-process" and not app.config.get("REDIS_URL"):
            app.before_request(self.start_consumer)

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            with self._lock:
                if self._huey is None:
                    self._huey = self._create_huey()
        return self._huey

    def _create_huey(self) -> Huey:
        from huey import RedisHuey, SqliteHuey

        app = self._app
        if app is None:
            raise RuntimeError("TaskQueue.init_app() has not been called")
        if app.config.get("REDIS_URL"):
            huey: Huey = RedisHuey("coach", url=app.config["REDIS_URL"], results=False)
        else:
            path = Path(app.instance_path) / "tasks.db"
            huey = SqliteHuey("coach", filename=str(path), results=False)

        def generate_feedback(feedback_id: int) -> None:
            with app.app_context(), db.session() as session:
                run_feedback(session, LLMSettings.from_config(app.config), feedback_id)

        def rescore(job_id: int) -> None:
            from app.rubrics.rescoring import run_rescoring  # only a worker needs it

            with app.app_context(), db.session() as session:
                run_rescoring(session, job_id)

        def import_bank(import_id: int) -> None:
            from app.bank.uploads import apply_upload, record_progress

            with app.app_context(), db.session() as session:
                apply_upload(
                    session,
                    import_id,
                    app.config,
                    lambda done, total: record_progress(import_id, done, total),
                )

        def transcribe(transcription_id: int) -> None:
            # The speech model is imported and loaded here, in the worker, once per process.
            from app.voice.service import run_transcription

            with app.app_context(), db.session() as session:
                max_seconds = float(app.config["VOICE_MAX_SECONDS"])
                run_transcription(session, transcription_id, max_seconds)

        self._generate = huey.task(name="coach.generate_feedback")(generate_feedback)
        self._rescore = huey.task(name="coach.rescore")(rescore)
        self._import_bank = huey.task(name="coach.import_bank")(import_bank)
        self._transcribe = huey.task(name="coach.transcribe")(transcribe)
        return huey

    def enqueue_feedback(self, feedback_id: int) -> None:
        _ = self.huey  # created on first use, which registers the task
        self._generate(feedback_id)

    def enqueue_rescoring(self, job_id: int) -> None:
        _ = self.huey
        self._rescore(job_id)

    def enqueue_bank_import(self, import_id: int) -> None:
        _ = self.huey
        self._import_bank(import_id)

    def enqueue_transcription(self, transcription_id: int) -> None:
        _ = self.huey
        self._transcribe(transcription_id)

    def consumer(self, workers: int = 1, in_process: bool = False) -> Consumer:
        """A consumer that polls often: an idle queue is checked every 50 ms at most."""
        from huey.consumer import Consumer

        class InProcessConsumer(Consumer):
            """Lives in threads of the web process, whose signals belong to the server."""

            def _set_signal_handlers(self) -> None:
                pass

        kind = InProcessConsumer if in_process else Consumer
        return kind(
            self.huey,
            workers=workers,
            periodic=False,
            initial_delay=0.01,
            backoff=1.2,
            max_delay=0.05,
            check_worker_health=False,
        )

    def start_consumer(self) -> None:
        """Consume in this process (`make run`): started once, on the first request."""
        if self._consumer is not None:
            return
        with self._lock:
            if self._consumer is None:
                self._consumer = self.consumer(in_process=True)
                self._consumer.start()

    def stop_consumer(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None


tasks = TaskQueue()
