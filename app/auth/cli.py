"""`coach user`: recover admin access from the command line."""

from __future__ import annotations

import click


@click.group("user")
def user_group() -> None:
    """Manage accounts."""
