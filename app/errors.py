"""Errors a user can cause, raised by services and turned into a message at the edge."""

from __future__ import annotations


class FieldError(ValueError):
    """Input that cannot be accepted, with the field at fault, so a form can show the message
    beside it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)
