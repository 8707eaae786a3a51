"""`coach backup PATH` and `coach restore PATH`."""

from __future__ import annotations

import click


@click.command("backup")
@click.argument("path")
def backup_command(path: str) -> None:
    """Copy the database to PATH while the app runs."""
    raise click.ClickException("not yet")


@click.command("restore")
@click.argument("path")
def restore_command(path: str) -> None:
    """Replace the database with the backup at PATH."""
    raise click.ClickException("not yet")
