"""`coach bank`: import question banks (preview, then apply) and export them."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from app.audit import record
from app.cli import user_errors
from app.extensions import db
from app.models import BankImport

from .formats import FORMATS, BankRead, export_format_names, read_bank_paths, write_bank
from .importer import ImportPlan, apply_import, import_limits, preview_import
from .service import export_questions


@click.group("bank")
def bank_group() -> None:
    """Import and export question banks."""


def print_plan(plan: ImportPlan) -> None:
    """The preview, as the browser shows it: counts, then each question, then each problem."""
    click.echo(f"Preview: {plan.describe()}.")
    for change in plan.new:
        click.echo(f"  + {change.slug}  {change.title}")
    for change in plan.changed:
        click.echo(f"  ~ {change.slug}")
        for diff in change.changes:
            click.echo(f"      {diff.field}: {_short(diff.old)} -> {_short(diff.new)}")
        if change.kept_rubric:
            click.echo(f"      rubric: kept {change.kept_rubric} (chosen by a coach)")
    for skipped in plan.skipped:
        where = f"{skipped.file}:{skipped.line}" if skipped.line else skipped.file
        click.echo(f"  skipped {where}: {skipped.kind} question {skipped.title!r}")
    for problem in plan.problems:
        click.echo(f"Error: {problem}", err=True)


def _short(value: object, width: int = 60) -> str:
    text = " ".join(str(value).split()) if value not in (None, [], "") else "(none)"
    return text if len(text) <= width else text[: width - 1] + "…"


@bank_group.command("import")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Show the preview and change nothing.")
@click.option("--rubric", help="The rubric for questions that name none (foreign formats).")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(FORMATS)),
    help="The files' format (default: from each file's name).",
)
@user_errors
def bank_import_command(
    paths: tuple[str, ...], dry_run: bool, rubric: str | None, format_name: str | None
) -> None:
    """Import bank files (YAML, JSON, CSV, Markdown, Moodle XML, GIFT), all or nothing.

    A folder or zip of Markdown files is one bank. The preview lists what is new, what changes
    (field by field), what is skipped and every problem; with problems nothing is imported."""
    read = read_bank_paths(
        paths, format=format_name, default_rubric=rubric, limits=import_limits(current_app.config)
    )
    with db.session() as session:
        plan = preview_import(session, read)
        print_plan(plan)
        if plan.problems:
            raise click.exceptions.Exit(1)
        if dry_run:
            click.echo("Dry run: nothing was changed.")
            return
        if not plan.new and not plan.changed:
            click.echo("Nothing to change.")
            return
        plan = _apply_with_progress(session, read, paths, format_name, rubric)
        record(session, None, "bank.import", ", ".join(paths), summary=plan.describe())
    click.echo(f"Imported: {plan.describe()}.")


def _apply_with_progress(
    session, read: BankRead, paths: tuple[str, ...], format_name: str | None, rubric: str | None
) -> ImportPlan:
    log = BankImport(files=list(paths), format=format_name or "auto", rubric_id=rubric)
    with click.progressbar(length=len(read.questions), label="Importing", file=sys.stderr) as bar:
        shown = 0

        def progress(done: int, _total: int) -> None:
            nonlocal shown
            bar.update(done - shown)
            shown = done

        return apply_import(session, read, log, progress)


@bank_group.command("export")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(export_format_names()),
    default="yaml",
    show_default=True,
)
@click.option("--active-only", is_flag=True, help="Leave out retired questions.")
@click.argument("destination", default="-")
@user_errors
def bank_export_command(format_name: str, active_only: bool, destination: str) -> None:
    """Write the whole bank to DESTINATION (default: standard output)."""
    with db.session() as session:
        data = write_bank(export_questions(session, include_retired=not active_only), format_name)
    if destination == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        with open(destination, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise click.ClickException(f"{destination}: cannot write ({exc.strerror})") from None
