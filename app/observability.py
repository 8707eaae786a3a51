"""Request logs as JSON lines with request ids, /healthz, /readyz and Prometheus /metrics.

Every request gets an id (a well-formed incoming X-Request-Id, else a new one), sent back in the
response's X-Request-Id and written, with the route, status, duration and user, as one JSON line
on the `coach.requests` logger. The per-request work is a clock read, a histogram observation
and that line: no I/O beyond the log, no database, and the signed-in user only if the request
already loaded it."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

from flask import Blueprint, Flask, Request, Response, abort, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import text

from .extensions import db

_LOG_NAME = "coach.requests"
request_log = logging.getLogger(_LOG_NAME)

# In prometheus_client's default registry, beside its process metrics. Under gunicorn every
# worker writes its counts to PROMETHEUS_MULTIPROC_DIR and a scrape sums them (see _registry).
REQUEST_SECONDS = Histogram(
    "coach_request_duration_seconds",
    "Time to answer a request, by route (the endpoint's name), method and status.",
    ["route", "method", "status"],
)
SCORING_SECONDS = Histogram(
    "coach_scoring_duration_seconds",
    "Time the scoring engine took to score one answer.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASK_QUEUE_DEPTH = Gauge(
    "coach_task_queue_depth",
    "Tasks waiting in the background queue, read at each scrape.",
    multiprocess_mode="mostrecent",  # under gunicorn: the last worker's reading, not a sum
)

# An incoming id is kept only if it is short and plain, so it cannot forge log lines or headers.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}\Z")
# Any other method is counted as "other": a client must not be able to mint new label values.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

bp = Blueprint("observability", __name__)


def init_app(app: Flask) -> None:
    # First of all the before-request functions, so the duration covers the others too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    if app.config["REQUEST_LOG"]:
        app.after_request(_log_request)  # after-request hooks run last-registered first
    app.after_request(_finish_request)
    app.register_blueprint(bp)
    if not request_log.handlers:  # once per process; a logging config may replace it
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False  # the line is already complete: no second copy via root


def _start_request() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-Id")
    g.request_id = incoming if incoming and _SAFE_REQUEST_ID.match(incoming) else _new_request_id()


def _new_request_id() -> str:
    return f"{_id_prefix}{next(_id_counter):016x}"


def _start_request_ids() -> None:
    """A fresh id is this process's random prefix and a counter: unique across processes (a
    forked gunicorn worker draws its own prefix) without asking for random bytes per request."""
    global _id_prefix, _id_counter
    _id_prefix, _id_counter = uuid.uuid4().hex[:16], itertools.count(1)


_timers: dict[tuple[str, str, int], Any] = {}  # the latency histogram's series, by labels
_id_prefix, _id_counter = "", itertools.count(1)
_start_request_ids()
os.register_at_fork(after_in_child=_start_request_ids)


def _finish_request(response: Response) -> Response:
    context = g._get_current_object()  # one proxy lookup each, not one per attribute
    seconds = time.perf_counter() - getattr(context, "request_started", time.perf_counter())
    request_id = getattr(context, "request_id", None) or _new_request_id()
    route = request.endpoint or "unmatched"
    method = request.method
    key = (route, method if method in _METHODS else "other", response.status_code)
    timer = _timers.get(key)
    if timer is None:  # `labels()` checks and locks on every call: each series is looked up once
        timer = _timers[key] = REQUEST_SECONDS.labels(*key)
    timer.observe(seconds)
    response.headers["X-Request-Id"] = request_id
    context.request_seconds, context.request_id = seconds, request_id
    return response


def _log_request(response: Response) -> Response:
    """The request's JSON line; registered before `_finish_request`, so it runs after it."""
    if not request_log.isEnabledFor(logging.INFO):
        return response
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    context = g._get_current_object()
    request_id = context.request_id
    user = getattr(context, "_login_user", None)  # Flask-Login's, if this request loaded it
    user_id = user.id if user is not None and user.is_authenticated else None
    method = req.method if req.method in _METHODS else "other"  # nothing a client sends unchecked
    # One JSON object per line, written by hand: only the path can hold characters that
    # need escaping (the id, method, route and numbers are plain by construction).
    line = (
        f'{{"time": "{datetime.now(UTC).isoformat(timespec="milliseconds")}", '
        f'"request_id": "{request_id}", "method": "{method}", '
        f'"path": {json.dumps(_loggable_path(req))}, "route": "{req.endpoint or "unmatched"}", '
        f'"status": {response.status_code}, "duration_ms": {context.request_seconds * 1000:.2f}, '
        f'"user_id": {"null" if user_id is None else user_id}}}'
    )
    # The record is made here: `info()` would also walk the stack for the caller, which the
    # line does not show, on every request. Handlers and filters apply as usual.
    extra = {"request_id": request_id}
    record = request_log.makeRecord(_LOG_NAME, logging.INFO, "", 0, line, None, None, extra=extra)
    request_log.handle(record)
    return response


def _loggable_path(req: Request) -> str:
    """The path, except that a secret in it (an invitation, reset or share link's token) is
    logged as the route's pattern: logs are read by more people than the links were sent to."""
    if req.view_args and "token" in req.view_args and req.url_rule is not None:
        return req.url_rule.rule
    return req.path


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answering: no database, no queue (that is /readyz)."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Whether this process can do its work: the database answers, and so does the task queue."""
    checks = {
        "database": _check("database", _database_answers),
        "task_queue": _check("task queue", _task_queue_depth),
    }
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ready" if ready else "unavailable", checks=checks), 200 if ready else 503


def _check(part: str, probe: Callable[[], object]) -> str:
    """ "ok", or the kind of failure (its details go to the log, not to whoever asked)."""
    try:
        probe()
    except Exception as exc:
        current_app.logger.warning("readyz: the %s does not answer: %s", part, exc)
        return f"failed: {type(exc).__name__}"
    return "ok"


def _database_answers() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _task_queue_depth() -> int:
    """Tasks waiting: a count in SqliteHuey's file, or the length of the Redis list."""
    return current_app.extensions["tasks"].huey.pending_count()


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics, for this machine only unless METRICS_PUBLIC is set."""
    if not (current_app.config.get("METRICS_PUBLIC", False) or _from_this_machine()):
        abort(404)
    try:
        TASK_QUEUE_DEPTH.set(_task_queue_depth())
    except Exception as exc:
        current_app.logger.warning("metrics: the task queue does not answer: %s", exc)
        TASK_QUEUE_DEPTH.set(float("nan"))
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """This process's metrics; under gunicorn (gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR)
    those of every worker, summed, from the files each writes."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _from_this_machine() -> bool:
    """A loopback client that came through no proxy: behind nginx on the same machine every
    visitor's address is the proxy's loopback one, but its request says it was forwarded."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
