"""The `coach` command: Flask's own commands (run, shell, routes) plus the project's.

Every command exits 0 on success and, on bad input, non-zero with a one-line `Error: ...`.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from pm_scoring import SourceError

from . import configured_app
from .scoring import (
    ScoredAnswer,
    read_live_rubric,
    read_question,
    read_questions,
    score_for_question,
)

# The web parts (extensions, models, services) are imported by the commands that use them:
# `coach score` and `coach questions` only read two tables, and start in under half the time.

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(command: F) -> F:
    """Turn errors a user can cause into a one-line message instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SourceError as exc:
            raise click.ClickException(exc.summary()) from None
        except (IndexError, KeyError):
            raise  # a bug, not the user's doing: its traceback is what to report
        except LookupError as exc:  # an unknown question or rubric
            raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None
        except (OperationalError, ProgrammingError) as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
            raise click.ClickException(
                f"the database is not ready ({reason}); run `coach init` first"
            ) from None

    return wrapper  # type: ignore[return-value]


def answer_options(several: bool = False) -> Callable[[F], F]:
    """--question, --file and --format, shared by `coach score` and `coach feedback`."""

    def decorate(command: F) -> F:
        command = click.option(
            "--format",
            "output",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
        )(command)
        command = click.option(
            "--file",
            "paths" if several else "path",
            required=True,
            multiple=several,
            help="The answer file, or - for standard input"
            + ("; repeat it to score several answers in one run." if several else "."),
        )(command)
        return click.option("--question", "slug", required=True, help="The question's slug.")(
            command
        )

    return decorate


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None


@click.command("init")
@user_errors
def init_command() -> None:
    """Create or migrate the database and load the shipped rubrics and questions."""
    from .bank.service import load_shipped_content
    from .extensions import db

    db.upgrade_schema()
    with db.session() as session:
        summary = load_shipped_content(session)
    state = "loaded" if summary.changed else "up to date, nothing changed"
    click.echo(f"Database {state}: {summary.describe()}.")
    for label in summary.rubrics_added:
        click.echo(f"  rubric {label}")


def score_to_dict(scored: ScoredAnswer, text: str) -> dict[str, Any]:
    """The JSON shape of a score, shared by `coach score` and `coach feedback`."""
    report = scored.report
    return {
        "question": scored.question.slug,
        "question_version": scored.question.version,
        "rubric": {"id": scored.rubric_version.rubric_id, "version": scored.rubric_version.version},
        "engine_version": report.engine_version,
        "overall": report.overall,
        "word_count": report.word_count,
        "criteria": [
            {
                "id": c.id,
                "title": c.title,
                "score": c.score,
                "max": c.max,
                "level": c.level,
                "evidence": [{"start": s, "end": e, "text": text[s:e]} for s, e in c.evidence],
                "concepts_found": c.concepts_found,
                "concepts": [
                    {
                        "id": k.id,
                        "how": k.how,
                        "specifics": k.specifics,
                        "points": k.points,
                        "reaches_level": k.reaches_level,
                        "planned": k.planned,
                        "evidence": [
                            {"start": s, "end": e, "text": text[s:e]} for s, e in k.evidence
                        ],
                    }
                    for k in c.concepts
                ],
                "concepts_missing": c.concepts_missing,
                "points": c.points,
                "full_marks_at": c.full_marks_at,
                "weight": c.weight,
                "tip": c.tip,
            }
            for c in report.criteria
        ],
        "flags": [
            {"id": f.id, "title": f.title, "message": f.message, "penalty": f.penalty}
            for f in report.flags
        ],
        "weighted": report.weighted,
    }


def _score_as_text(scored: ScoredAnswer, text: str) -> str:
    report, rubric = scored.report, scored.rubric_version
    penalties = "".join(f", {f.title.lower()} -{f.penalty:g}" for f in report.flags if f.penalty)
    lines = [
        f"{scored.question.title} ({scored.question.slug})",
        f"Rubric {rubric.rubric_id} v{rubric.version}: overall {report.overall}/100 "
        f"(criteria weighted {report.weighted}{penalties})",
        "",
    ]
    width = max(len(c.title) for c in report.criteria)
    for c in report.criteria:
        bar = "#" * c.score + "." * (c.max - c.score)
        lines.append(
            f"  {c.title:<{width}}  {bar}  {c.score}/{c.max}  "
            f"({c.points:g} of {c.full_marks_at:g} points, weight {c.weight:g}): {c.level}"
        )
        for k in c.concepts:
            specifics = ", ".join(k.specifics) or "no specifics"
            specifics += "; a plan, not what happened" if k.planned else ""
            specifics += f"; done well, {k.reaches_level}/4 alone" if k.reaches_level else ""
            quote = " ".join(text[k.evidence[0][0] : k.evidence[0][1]].split())[:90]
            lines.append(f'      + {k.id} ({k.how}; {specifics}; {k.points:g}): "{quote}"')
        if c.concepts_missing:
            lines.append(f"      - not found: {', '.join(c.concepts_missing)}")
    tips = [c for c in report.criteria if c.tip]
    if tips:
        lines += ["", "To improve:"]
        lines += [f"  - {c.title}: {' '.join(c.tip.split())}" for c in tips]
    if report.flags:
        lines += ["", "Flags:"]
        lines += [f"  - {f.title}: {f.message}" for f in report.flags]
    return "\n".join(lines)


@click.command("score")
@answer_options(several=True)
@user_errors
def score_command(slug: str, paths: tuple[str, ...], output: str) -> None:
    """Score answers against the question's current rubric.

    One file prints one report; several print one JSON object per line (JSON Lines), each with
    its file, in the order given."""
    texts = [_read_text(path) for path in paths]
    with _database() as connection:
        question = read_question(connection, slug)
        rubric_row, rubric = read_live_rubric(connection, question.rubric_id)
    for path, text in zip(paths, texts, strict=True):
        scored = score_for_question(question, rubric_row, rubric, text)
        if len(paths) > 1 and output == "json":
            click.echo(json.dumps({"file": path, **score_to_dict(scored, text)}))
        elif output == "json":
            click.echo(json.dumps(score_to_dict(scored, text), indent=2))
        else:
            click.echo(f"== {path}\n" if len(paths) > 1 else "", nl=False)
            click.echo(_score_as_text(scored, text))


@click.command("questions")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
@user_errors
def questions_command(output: str) -> None:
    """List the questions: slug, title and rubric, in slug order."""
    with _database() as connection:
        questions = read_questions(connection)
    rows = [{"slug": q.slug, "title": q.title, "rubric": q.rubric_id} for q in questions]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No questions yet: run `coach init`.")
        return
    width = max(len(row["slug"]) for row in rows)
    rubric_width = max(len(row["rubric"]) for row in rows)
    for row in rows:
        click.echo(f"{row['slug']:<{width}}  {row['rubric']:<{rubric_width}}  {row['title']}")


@click.command("feedback")
@with_appcontext
@answer_options()
@user_errors
def feedback_command(slug: str, path: str, output: str) -> None:
    """Score an answer and ask the configured AI server for feedback (exits 0 even if it fails)."""
    from .extensions import db
    from .feedback.settings import LLMSettings
    from .practice.services import current_rubric, score_answer

    text = _read_text(path)
    with db.session() as session:
        scored = score_answer(session, slug, text)
        _, rubric = current_rubric(session, scored.question.rubric_id)
    from .feedback.client import request_feedback  # loads openai, which only this command needs

    settings = LLMSettings.from_config(current_app.config)
    result = request_feedback(settings, scored.question.prompt, rubric, scored.report, text)
    if output == "json":
        click.echo(json.dumps(score_to_dict(scored, text) | {"llm": result.to_dict()}, indent=2))
        return
    click.echo(_score_as_text(scored, text))
    click.echo("")
    if result.status != "ok" or result.feedback is None:
        click.echo(f"AI feedback: {result.status}. {result.reason}")
        return
    feedback = result.feedback
    click.echo(f"AI feedback ({result.model}, {result.latency_ms} ms): {feedback['summary']}")
    for advice in feedback["criteria"]:
        click.echo(f"  - {advice['id']}: {advice['good']} To add: {advice['add']}")


@click.command("worker")
@with_appcontext
@click.option("--workers", default=2, show_default=True, help="Threads consuming tasks.")
def worker_command(workers: int) -> None:
    """Run background tasks (AI feedback) until stopped; needed when COACH_REDIS_URL is set."""
    queue = current_app.extensions["tasks"]
    click.echo(f"Consuming tasks from {type(queue.huey).__name__} with {workers} worker(s).")
    queue.consumer(workers=workers).run()


@click.group("rubric")
def rubric_group() -> None:
    """Work with rubric files."""


@rubric_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@user_errors
def rubric_validate_command(paths: tuple[str, ...]) -> None:
    """Check rubric files; every problem is reported as file:line: field: message."""
    from .bank.service import read_rubric_files

    try:
        rubrics = read_rubric_files(Path(p) for p in paths)
    except SourceError as exc:
        for problem in exc.problems:
            click.echo(f"Error: {problem}", err=True)
        raise click.exceptions.Exit(1) from None
    for rubric in rubrics:
        click.echo(f"{rubric.id} v{rubric.version}: ok ({len(rubric.criteria)} criteria)")


def register_commands(app: Flask) -> None:
    from .auth.cli import user_group
    from .backup import backup_command, restore_command
    from .bank.cli import bank_group

    commands = (
        init_command,
        questions_command,
        score_command,
        feedback_command,
        worker_command,
        bank_group,
        user_group,
        rubric_group,
        backup_command,
        restore_command,
    )
    for command in commands:
        app.cli.add_command(command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@contextmanager
def _database() -> Iterator[Connection]:
    """A connection to the app's database for a command that only reads it. Run as `coach`, the
    settings come from the environment, without building the web app (its imports would be
    most of a `coach score`); a caller that supplies an app (the test runner, `flask --app`)
    has its settings used."""
    info = click.get_current_context().ensure_object(ScriptInfo)
    app = configured_app() if info.create_app is _create_app else info.load_app()
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


class CoachGroup(FlaskGroup):
    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """The group's own commands are found before installed Flask plugins' commands are
        loaded (flask-limiter's imports its storage backends: a twentieth of a `coach score`)."""
        return self.commands.get(name) or super().get_command(ctx, name)


cli = CoachGroup(
    create_app=_create_app,
    load_dotenv=False,
    help="PM Interview Coach: practise PM interview questions and get explainable scores.",
)


# Commands of the group itself are found without loading the app (the others are the app's).
cli.add_command(score_command)
cli.add_command(questions_command)


def main() -> None:
    cli(prog_name="coach")
