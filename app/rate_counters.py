"""Rate-limit counters in the app's own database: every worker and every server that shares the
database shares the counts, with no Redis needed (Redis is used instead when it is configured).

flask-limiter keeps its counters in a `limits` storage chosen by URI; this one is
`coach-database://`. Each hit is one statement: the counter's row is created, restarted when its
window has passed, or counted up, and its count returned.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

_HIT = text(
    "INSERT INTO rate_limit_counters (name, count, expires_at) "
    "VALUES (:name, :amount, :now + :expiry) "
    "ON CONFLICT (name) DO UPDATE SET "
    "count = CASE WHEN rate_limit_counters.expires_at <= :now THEN :amount "
    "ELSE rate_limit_counters.count + :amount END, "
    "expires_at = CASE WHEN rate_limit_counters.expires_at <= :now THEN :now + :expiry "
    "ELSE rate_limit_counters.expires_at END "
    "RETURNING count"
)
_READ = text("SELECT count, expires_at FROM rate_limit_counters WHERE name = :name")
_FORGET_EXPIRED = text("DELETE FROM rate_limit_counters WHERE expires_at <= :now")
_SWEEP_EVERY = 500  # hits between deletions of the counters whose window has passed


def _engine() -> Any:
    from app.extensions import db  # imported here: the extensions import this module

    return db.engine


class DatabaseCounters(Storage):
    STORAGE_SCHEME = "coach-database"

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: Any) -> None:
        super().__init__(uri, wrap_exceptions)
        self._hits = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1, **_: Any) -> int:
        now = time.time()
        with _engine().begin() as connection:
            count = connection.execute(
                _HIT, {"name": key[:255], "amount": amount, "now": now, "expiry": expiry}
            ).scalar_one()
            self._hits += 1
            if self._hits % _SWEEP_EVERY == 0:
                connection.execute(_FORGET_EXPIRED, {"now": now})
        return int(count)

    def _row(self, key: str) -> Any:
        with _engine().connect() as connection:
            row = connection.execute(_READ, {"name": key[:255]}).first()
        return row if row is not None and row.expires_at > time.time() else None

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as connection:
                connection.execute(text("SELECT 1 FROM rate_limit_counters WHERE 1 = 0"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _engine().begin() as connection:
            return connection.execute(text("DELETE FROM rate_limit_counters")).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as connection:
            connection.execute(
                text("DELETE FROM rate_limit_counters WHERE name = :name"), {"name": key[:255]}
            )
