"""Feedback off the request path, on Huey: SqliteHuey in instance/ by default (consumed by a thread
inside the web process), RedisHuey when COACH_REDIS_URL is set (consumed by `coach worker`)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from app.extensions import db

from .client import LLMSettings
from .service import run_feedback


class _InProcessConsumer(Consumer):
    """A consumer living in threads of the web process, whose signals belong to the server."""

    def _set_signal_handlers(self) -> None:
        pass


class TaskQueue:
    def __init__(self) -> None:
        self.huey: Huey | None = None
        self._consumer: Consumer | None = None
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        if app.config.get("REDIS_URL"):
            self.huey = RedisHuey("coach", url=app.config["REDIS_URL"], results=False)
        else:
            path = Path(app.instance_path) / "tasks.db"
            self.huey = SqliteHuey("coach", filename=str(path), results=False)

        def generate_feedback(feedback_id: int) -> None:
            with app.app_context(), db.session() as session:
                run_feedback(session, LLMSettings.from_config(app.config), feedback_id)

        self._generate = self.huey.task(name="coach.generate_feedback")(generate_feedback)
        app.extensions["tasks"] = self
        if app.config.get("TASK_CONSUMER") == "in-process" and not app.config.get("REDIS_URL"):
            app.before_request(self.start_consumer)

    def enqueue_feedback(self, feedback_id: int) -> None:
        self._generate(feedback_id)

    def consumer(self, workers: int = 1, in_process: bool = False) -> Consumer:
        """A consumer that polls often: an idle queue is checked every 50 ms at most."""
        assert self.huey is not None
        kind = _InProcessConsumer if in_process else Consumer
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
