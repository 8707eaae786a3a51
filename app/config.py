"""Configuration: defaults here, overridden by COACH_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


class DefaultConfig:
    # A SQLite file under instance/ unless COACH_DATABASE_URL says otherwise (e.g. postgresql://...).
    DATABASE_URL: str | None = None
    # Generated into instance/secret_key when unset, so no secret ever lives in the repository.
    SECRET_KEY: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    # A form's token lives as long as the session it belongs to, so an answer page left open
    # all afternoon still saves (Flask-WTF's default expires it after an hour).
    WTF_CSRF_TIME_LIMIT: int | None = None
    # Behind a reverse proxy, how many proxies set X-Forwarded-For/-Proto/-Host: without it the
    # per-address login limit would count every visitor as the proxy's one address.
    PROXY_COUNT = 0
    SESSION_COOKIE_SAMESITE = "Lax"
    QUESTIONS_PER_PAGE = 20
    # Login and sign-up counts live in the database, so every worker and server shares them
    # (app/rate_counters.py); with REDIS_URL set, in Redis.
    RATELIMIT_STORAGE_URI = "coach-database://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = "20 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"  # per account and address: no lock-outs
    REGISTER_LIMIT_PER_ADDRESS = "10 per hour"
    SIGNUP_LINK_HOURS = 24  # with mail set up, sign-up is finished through an e-mailed link
    # Without mail, an account made by sign-up waits for an admin's approval (all but the first,
    # the admin), and a taken address gets the same page: signing up then tells nobody which
    # addresses have accounts. False signs new accounts straight in, and says an address is
    # taken: only for a site whose visitors are all trusted.
    SIGNUP_APPROVAL = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    AUTOSAVE_SECONDS = 5
    CACHE_TYPE = "SimpleCache"  # per process; COACH_CACHE_TYPE=RedisCache etc. to share one
    CACHE_DEFAULT_TIMEOUT = 60
    # Optional AI feedback. The key and server come from the openai client's own variables
    # (OPENAI_API_KEY, OPENAI_BASE_URL); without a key the feature is off.
    LLM_MODEL = "gpt-4o-mini"
    LLM_TIMEOUT = 30
    LLM_MAX_RETRIES = 2
    LLM_STREAM = False
    # Background tasks: SqliteHuey in instance/ consumed by the web process, or Redis when
    # COACH_REDIS_URL is set (consumed by `coach worker`). "none" leaves tasks queued.
    REDIS_URL: str | None = None
    TASK_CONSUMER = "in-process"
    # Request bodies over this are refused before they are read: sized to the largest form (an
    # answer of 50,000 characters, each up to 4 bytes). A bank upload allows IMPORT_MAX_MB.
    MAX_REQUEST_KB = 256
    # Bank imports: the largest file (unpacked, for a zip) and the most questions in one import.
    IMPORT_MAX_MB = 10
    IMPORT_MAX_QUESTIONS = 20000
    # An import with more questions than this is applied by the background task queue.
    IMPORT_BACKGROUND_OVER = 500
    # Spoken answers (the `voice` extra): the largest recording accepted, and the longest the
    # answer page records (the server refuses to transcribe anything longer).
    VOICE_MAX_MB = 10
    VOICE_MAX_SECONDS = 300
    # One JSON line per request on stderr. Behind a proxy that logs every request itself (nginx's
    # access log, docs/deploy.md) it can be turned off: it is a fifth of a cached page's cost.
    REQUEST_LOG = True
    # /metrics answers loopback clients that came through no proxy; true opens it to all.
    METRICS_PUBLIC = False
    # Password-reset links an admin issues: how long they work.
    PASSWORD_RESET_HOURS = 24
    # E-mail for reset links: off unless MAIL_SERVER is set (COACH_MAIL_SERVER, ...).
    MAIL_SERVER: str | None = None
    # The site's address as people reach it (https://coach.example.org): links that are e-mailed
    # are built from it, never from a request's Host header. Mail stays off until it is set.
    PUBLIC_URL: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_SENDER = "PM Interview Coach <no-reply@localhost>"


def finalise_config(app: Flask) -> None:
    """Fill in the settings that depend on the instance folder."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'coach.db'}"
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):  # the one place these are read
        app.config.setdefault(name, os.environ.get(name))
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_REQUEST_KB"]) * 1024
    if redis_url := app.config.get("REDIS_URL"):
        # Many servers share one Redis: login limits, the page cache and the task queue hold
        # across workers and machines, unless set otherwise on purpose.
        if app.config["RATELIMIT_STORAGE_URI"] == DefaultConfig.RATELIMIT_STORAGE_URI:
            app.config["RATELIMIT_STORAGE_URI"] = redis_url
        if app.config["CACHE_TYPE"] == DefaultConfig.CACHE_TYPE:
            app.config["CACHE_TYPE"] = "RedisCache"
            app.config.setdefault("CACHE_REDIS_URL", redis_url)
    if app.config.get("MAIL_SERVER") and not app.config.get("PUBLIC_URL"):
        app.logger.warning(
            "COACH_MAIL_SERVER is set but COACH_PUBLIC_URL is not: no mail is sent until it is "
            "(the links mail carries are built from it)."
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _instance_secret(path: Path) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first use.
    Workers starting together agree on one key: the file is written whole under a temporary
    name and linked into place only if no key is there yet, so none reads a half-written key."""
    if not path.exists():
        partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(partial, path)  # fails if another process linked its key first
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text().strip()
