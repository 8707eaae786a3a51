"""Read YAML or JSON files and report problems as `file:line: field: message`.

Both rubrics and question banks are written by people, so every validation problem must point at
the line to fix. PyYAML's node tree knows the line of every key; pydantic knows the field path; this
module joins the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    import yaml

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the parser allows."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SourceError(ValueError):
    """Raised when a file cannot be read or does not validate; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        """The first problem, and how many more: one line, as the CLI prints it."""
        first = str(self.problems[0]) if self.problems else "invalid input"
        more = len(self.problems) - 1
        return first + (f" (and {more} more problem{'s' * (more > 1)})" if more > 0 else "")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def format_path(path: FieldPath) -> str:
    """Render ('criteria', 2, 'tip') as `criteria[2].tip`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class Document:
    """Parsed data plus the line of each field path, for error messages."""

    data: Any
    file: str
    lines: dict[FieldPath, int]

    def line_of(self, path: FieldPath) -> int | None:
        """The line of `path`, or of its nearest ancestor the parser saw."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def problem(self, path: FieldPath, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), format_path(path) or None, message)


def _collect_lines(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if node.id == "mapping":
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _collect_lines(value_node, child, lines)
    elif node.id == "sequence":
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def parse_text(text: str, file: str) -> Document:
    """Parse YAML (or JSON, by the file's suffix) and map each field path to its line."""
    import yaml  # here, not above: scoring against a stored rubric (a dict) never needs it

    if file.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problem = Problem(file, exc.lineno, None, f"invalid JSON: {exc.msg}")
            raise SourceError([problem]) from exc
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc)
            line = mark.line + 1 if mark else None
            raise SourceError([Problem(file, line, None, f"invalid YAML: {reason}")]) from exc
    lines: dict[FieldPath, int] = {}
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        node = None  # JSON that YAML cannot read: data is fine, lines are unknown
    if node is not None:
        _collect_lines(node, (), lines)
    return Document(data, file, lines)


def read_file(path: str | Path) -> Document:
    """Read and parse a file; a missing or unreadable file is a SourceError, not a traceback."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError([Problem(str(path), None, None, "no such file")]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError([Problem(str(path), None, None, f"cannot read: {exc}")]) from exc
    return parse_text(text, str(path))


M = TypeVar("M", bound=BaseModel)


R = TypeVar("R")


def read_each(
    paths: Iterable[str | Path], read: Callable[[Document], list[R]]
) -> tuple[list[R], list[Problem]]:
    """Read every file and keep going past bad ones, so one run reports every problem."""
    results: list[R] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            results.extend(read(read_file(path)))
        except SourceError as exc:
            problems.extend(exc.problems)
    return results, problems


def validate(model: type[M], document: Document, path: FieldPath = (), data: Any = None) -> M:
    """Validate `data` (default: the whole document) against a model, with located errors."""
    value = document.data if data is None else data
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise SourceError(
            document.problem((*path, *error["loc"]), _message(error)) for error in exc.errors()
        ) from exc


def _message(error: Any) -> str:
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    if error["type"] == "missing":
        return "required field is missing"
    return message
