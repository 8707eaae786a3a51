"""Flask, minus two costs it pays on every request and that never change between requests.

Measured on an anonymous cached page (benchmarks/web.py counts instructions): Flask asks
`inspect.iscoroutinefunction` of each of a dozen hooks per request (about 7% of that page), and
builds a new signing serializer for the session cookie per request (about 10%)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

_MAX_REMEMBERED = 10_000  # hooks, views and handlers are registered once: far fewer than this


class CoachFlask(Flask):
    """Flask whose `ensure_sync` remembers the functions already found to be plain ones."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = SessionCookies()
        self._plain_functions: set[Callable] = set()

    def ensure_sync(self, func: Callable) -> Callable:
        if func in self._plain_functions:
            return func
        wrapped = super().ensure_sync(func)
        if wrapped is func and len(self._plain_functions) < _MAX_REMEMBERED:
            self._plain_functions.add(func)
        return wrapped


class SessionCookies(SecureCookieSessionInterface):
    """The signed session cookie, with one serializer per secret key rather than per request."""

    _made: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = self._made
        if made is None or made[0] != keys:
            made = self._made = (keys, super().get_signing_serializer(app))
        return made[1]
