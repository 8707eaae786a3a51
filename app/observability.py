"""Request logs as JSON lines with request ids, /healthz, /readyz and Prometheus /metrics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing yet."""
