"""Extension objects, created once and bound to the app in create_app()."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager, current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from flask_wtf import CSRFProtect
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

# Inside the package when installed from the wheel, else the checkout's top-level folder.
MIGRATIONS_DIR = next(
    (d for d in [Path(__file__).resolve().with_name("migrations")] if d.is_dir()),
    Path(__file__).resolve().parents[1] / "migrations",
)


class Database:
    """The SQLAlchemy engine for the app, and the one way to get a session."""

    def __init__(self) -> None:
        self._engine: Engine | None = None

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        self._engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        if url.startswith("sqlite"):
            event.listen(self._engine, "connect", _sqlite_pragmas)
        app.extensions["database"] = self
        app.teardown_appcontext(self._close_request_session)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("Database.init_app() has not been called")
        return self._engine

    def upgrade_schema(self, revision: str = "head") -> None:
        """Create or migrate the schema to the newest Alembic revision (or to `revision`)."""
        from alembic import command  # imported here: it is slow and only `coach init` needs it
        from alembic.config import Config as AlembicConfig

        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def is_set_up(self) -> bool:
        """Whether `coach init` has created the schema (Alembic records its version)."""
        return inspect(self.engine).has_table("alembic_version")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for one unit of work outside a request (CLI commands, tasks)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def request_session(self) -> Session:
        """The session of the current request, closed when the request ends."""
        if "db_session" not in g:
            g.db_session = Session(self.engine, expire_on_commit=False)
        return g.db_session

    @staticmethod
    def _close_request_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits only.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to answer questions and keep your progress."
login_manager.session_protection = "strong"


class RouteLimiter(Limiter):
    """Flask-Limiter, whose hooks run on every request, here running them only on the routes
    that carry limits (login attempts), unless limits for every route are set
    (COACH_RATELIMIT_DEFAULT or COACH_RATELIMIT_APPLICATION): elsewhere they cost a cached page
    a tenth of its time and a submission about 0.3M instructions, and find nothing to check."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
            return
        registries: list[dict] = [
            app.before_request_funcs,
            app.after_request_funcs,
            app.teardown_request_funcs,
        ]
        for hooks in registries:
            hooks[None] = [self._on_limited_routes(hook) for hook in hooks.get(None, [])]

    def _on_limited_routes(self, hook: Callable) -> Callable:
        """One of this limiter's hooks made to run only on a limited route; others as they are.
        A hook skipped passes on what it was given (an after-request hook, its response)."""
        if getattr(hook, "__self__", None) is not self and self not in getattr(hook, "args", ()):
            return hook

        def on_limited_routes(*args: Any) -> Any:
            if request.endpoint in _limited_endpoints(current_app):
                return hook(*args)
            return args[0] if args else None

        return on_limited_routes


def _limited_endpoints(app: Flask) -> frozenset[str]:
    """The endpoints whose views carry `@limiter.limit` (or whose blueprint does), found once
    per app, when every route is registered."""
    found = app.extensions.get("limited_endpoints")
    if found is None:
        limits = limiter.limit_manager
        found = frozenset(
            endpoint
            for endpoint, view in app.view_functions.items()
            if limits.decorated_limits(get_qualified_name(view))
            or limits.blueprint_limits(app, endpoint.rpartition(".")[0])
        )
        app.extensions["limited_endpoints"] = found
    return found


# Counters in the database by default (app/rate_counters.py registers its storage with limits);
# COACH_RATELIMIT_STORAGE_URI points elsewhere (Redis when REDIS_URL is set).
limiter = RouteLimiter(key_func=get_remote_address, default_limits=[])


# Public pages seen by anonymous visitors are cached per process for a short while.
cache = Cache()


def _page_key(path: str) -> str:
    return f"page:{path}"


def cached_page(view: Callable[..., str]) -> Callable[..., str]:
    """Serve the page from the page cache to visitors who all see the same thing (see
    `not_cacheable`); the rendered text is kept, keyed by the path without its query string.
    Flask-Caching's own decorator inspects its functions' signatures on every request, which
    cost an anonymous cached page about a tenth of its time."""

    @wraps(view)
    def from_the_cache(**kwargs: Any) -> str:
        if not_cacheable():
            return view(**kwargs)
        key = _page_key(request.path)
        page = cache.get(key)
        if page is None:
            page = view(**kwargs)
            cache.set(key, page)
        return page

    return from_the_cache


def forget_question_pages(slugs: Iterable[str]) -> None:
    """Drop the cached anonymous pages of questions that were just edited, retired or imported
    (in this process; other processes' copies expire within the cache's timeout)."""
    cache.delete_many(*(_page_key(f"/questions/{slug}") for slug in slugs))


def not_cacheable() -> bool:
    """A page may come from the page cache only when it is the same for every visitor: nobody
    logged in and nothing in the session (such as a flashed message)."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
    if not session and remember_cookie not in request.cookies:
        return False  # no session and no remember-me cookie: nobody can be logged in
    return current_user.is_authenticated or bool(session)
