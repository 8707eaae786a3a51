"""`coach bank`: import and export question banks."""

from __future__ import annotations

import json

import click
import yaml

from app.cli import user_errors
from app.extensions import db

from .formats import bank_to_dict
from .service import export_questions, import_banks


@click.group("bank")
def bank_group() -> None:
    """Import and export question banks."""


@bank_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@user_errors
def bank_import_command(paths: tuple[str, ...]) -> None:
    """Import YAML or JSON bank files, all or nothing (see docs/formats.md)."""
    with db.session() as session:
        summary = import_banks(session, paths)
    click.echo(f"Imported {len(paths)} file(s): {summary.describe()}.")


@bank_group.command("export")
@click.option("--format", "output", type=click.Choice(["json", "yaml"]), default="json")
@click.argument("destination", default="-")
@user_errors
def bank_export_command(output: str, destination: str) -> None:
    """Write the whole bank in the import format to DESTINATION (default: standard output)."""
    with db.session() as session:
        data = bank_to_dict(export_questions(session))
    if output == "json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if destination == "-":
        click.echo(text, nl=False)
    else:
        with open(destination, "w", encoding="utf-8") as handle:
            handle.write(text)
