"""The registry of bank formats and the one reading pipeline they share.

A format only turns a file into candidate questions (raw fields, a line, how to name a slug);
everything after that is done here, the same way for every format: the old `category` folded
into the taxonomy, the default rubric, slugs made from titles and made unique, validation with
located problems, duplicate slugs and the import's limits. Nothing here raises for bad input:
every problem is collected, so one run reports all of them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pm_scoring.sourcefile import Document, FieldPath, Problem, SourceError, format_path, validate

from .spec import SLUG_MAX, LoadedQuestion, QuestionSpec, fold_categories, slugify

MAX_PROBLEMS = 1000  # a hostile file can have millions; the first thousand say enough
MAX_LIST_ITEMS = 500  # companies, tags or hints of one question
NO_RUBRIC = "no rubric named; choose one for the import (--rubric)"


@dataclass(frozen=True)
class ImportFile:
    """A file to import. `name` is how the user knows it (an upload's name, a command-line path):
    it appears in messages and picks the format by its suffix, and is never opened."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 10 * 1024 * 1024  # per file, and the unpacked total of a zip
    max_questions: int = 20_000
    max_entries: int = 10_000  # files in a zip or a folder


@dataclass(frozen=True)
class Skipped:
    """A foreign question of a kind we do not practise (multiple choice, true/false...):
    counted and listed, never an error."""

    file: str
    line: int | None
    kind: str
    title: str


@dataclass
class BankRead:
    questions: list[LoadedQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Candidate:
    """A question as a format read it, before the shared rules and validation."""

    fields: dict[str, Any]
    file: str
    line: int | None
    path: FieldPath = ()  # where the question sits in its file, to name fields in problems
    # Exact lines of each field path, worked out only when the question fails validation.
    lines: Callable[[], dict[FieldPath, int]] | None = None
    slug_from: str | None = None  # text to make a slug from when the question names none


class Collector:
    """What the formats report while reading, within the import's limits."""

    def __init__(self, limits: ImportLimits):
        self.limits = limits
        self.candidates: list[Candidate] = []
        self.skipped: list[Skipped] = []
        self.problems: list[Problem] = []
        self.too_many_questions = False
        self.problems_left_out = 0

    @property
    def full(self) -> bool:
        """True once the question limit is passed or the problems fill the list: readers stop
        early, as more would say nothing new."""
        return self.too_many_questions or self.problems_left_out > 0

    def question(self, candidate: Candidate) -> None:
        if len(self.candidates) >= self.limits.max_questions:
            if not self.too_many_questions:
                self.too_many_questions = True
                self.problem(
                    candidate.file,
                    candidate.line,
                    None,
                    f"more than {self.limits.max_questions} questions in this import; "
                    "split it into smaller ones",
                )
            return
        self.candidates.append(candidate)

    def skip(self, file: str, line: int | None, kind: str, title: str) -> None:
        if len(self.skipped) < self.limits.max_questions:
            self.skipped.append(Skipped(file, line, kind, title[:200]))

    def problem(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.add(Problem(file, line, field, message))

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_left_out += 1


Reader = Callable[[ImportFile, Collector], None]
Writer = Callable[[Sequence[QuestionSpec]], bytes]


@dataclass(frozen=True)
class BankFormat:
    """One file format: how to read it and, unless it is import-only, how to write it."""

    name: str
    label: str
    suffixes: tuple[str, ...]  # lower case, with the dot: ".yaml"
    read: Reader
    write: Writer | None = None
    media_type: str = "application/octet-stream"
    extension: str = ""  # for exported files, without the dot
    order: int = 100  # position in menus


FORMATS: dict[str, BankFormat] = {}


def register(kind: BankFormat) -> BankFormat:
    """Add a format to the registry; each format module calls this once for each format."""
    FORMATS[kind.name] = kind
    ordered = sorted(FORMATS.values(), key=lambda k: (k.order, k.name))
    FORMATS.clear()
    FORMATS.update((k.name, k) for k in ordered)
    return kind


def export_format_names() -> list[str]:
    return [name for name, kind in FORMATS.items() if kind.write is not None]


def format_for_name(name: str) -> BankFormat | None:
    """The format a file's name says it is in, by its suffix."""
    lower = name.lower()
    for kind in FORMATS.values():
        if lower.endswith(kind.suffixes):
            return kind
    return None


def write_bank(questions: Sequence[QuestionSpec], format: str) -> bytes:
    kind = FORMATS.get(format)
    if kind is None or kind.write is None:
        raise ValueError(f"cannot export as {format!r} (one of {', '.join(export_format_names())})")
    return kind.write(questions)


# Reading ----------------------------------------------------------------------------------------


def decode_text(file: ImportFile, out: Collector) -> str | None:
    """The file as text, or None with a problem: binary files and other encodings are refused
    (a UTF-8 byte-order mark is fine)."""
    if b"\x00" in file.data:
        out.problem(file.name, None, None, "a binary file, not text")
        return None
    try:
        return file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.data.count(b"\n", 0, exc.start) + 1
        out.problem(file.name, line, None, f"not UTF-8 text (byte {exc.start}); save it as UTF-8")
        return None


def read_bank(
    files: Sequence[ImportFile],
    *,
    format: str | None = None,
    default_rubric: str | None = None,
    limits: ImportLimits = ImportLimits(),
) -> BankRead:
    """Read files of questions (each file's format from its name unless `format` is given),
    collecting every problem; never raises for bad input."""
    out = Collector(limits)
    for file in files:
        _read_one(file, format, out)
        if out.full:
            break
    return _finish(out, default_rubric)


def _read_one(file: ImportFile, format: str | None, out: Collector) -> None:
    if format is not None:
        kind = FORMATS.get(format)
        if kind is None:
            known = ", ".join(FORMATS)
            out.problem(file.name, None, None, f"unknown format {format!r} (one of {known})")
            return
    else:
        kind = format_for_name(file.name)
        if kind is None:
            suffixes = ", ".join(s for k in FORMATS.values() for s in k.suffixes)
            out.problem(
                file.name, None, None, f"cannot tell the format from the name (one of {suffixes})"
            )
            return
    if len(file.data) > out.limits.max_bytes:
        out.problem(
            file.name, None, None, f"larger than the limit of {_size(out.limits.max_bytes)}"
        )
        return
    try:
        kind.read(file, out)
    except (RecursionError, MemoryError):
        out.problem(file.name, None, None, "too deeply nested or too large to read")
    except Exception as exc:  # a reader's bug must not become a traceback for the user
        out.problem(file.name, None, None, f"cannot read this file ({type(exc).__name__})")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def read_bank_paths(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    default_rubric: str | None = None,
    limits: ImportLimits = ImportLimits(),
) -> BankRead:
    """`read_bank` for files on disk (the command line). A folder is a folder of Markdown
    questions; a missing, unreadable or oversized path is a problem, not a traceback."""
    out = Collector(limits)
    for path in paths:
        for file, kind in _files_at(Path(path), format, out):
            _read_one(file, kind, out)
            if out.full:
                return _finish(out, default_rubric)
    return _finish(out, default_rubric)


def _files_at(
    path: Path, format: str | None, out: Collector
) -> list[tuple[ImportFile, str | None]]:
    try:
        info = path.stat()
    except FileNotFoundError:
        out.problem(str(path), None, None, "no such file or folder")
        return []
    except OSError as exc:
        out.problem(str(path), None, None, f"cannot read ({exc.strerror or exc})")
        return []
    if stat.S_ISDIR(info.st_mode):
        return [(f, "markdown") for f in _markdown_folder(path, out)]
    file = _read_disk_file(path, info, out)
    return [] if file is None else [(file, format)]


def _read_disk_file(path: Path, info: os.stat_result, out: Collector) -> ImportFile | None:
    name = str(path)
    if not stat.S_ISREG(info.st_mode):
        out.problem(name, None, None, "not a regular file")
        return None
    if info.st_size > out.limits.max_bytes:
        out.problem(name, None, None, f"larger than the limit of {_size(out.limits.max_bytes)}")
        return None
    try:
        with path.open("rb") as handle:
            data = handle.read(out.limits.max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        out.problem(name, None, None, f"cannot read ({exc.strerror or exc})")
        return None
    return ImportFile(name, data)


def _markdown_folder(folder: Path, out: Collector) -> list[ImportFile]:
    """The *.md files under a folder, in name order; links that lead out of it are refused."""
    root = folder.resolve()
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(folder, followlinks=False):
        subdirectories.sort()
        found.extend(Path(directory) / n for n in sorted(names) if n.lower().endswith(".md"))
        if len(found) > out.limits.max_entries:
            out.problem(str(folder), None, None, f"more than {out.limits.max_entries} files")
            return []
    if not found:
        out.problem(str(folder), None, None, "no Markdown (.md) files in this folder")
    files = []
    for path in found:
        try:
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                out.problem(str(path), None, None, "a link to outside the folder; not followed")
                continue
            info = path.stat()
        except OSError as exc:
            out.problem(str(path), None, None, f"cannot read ({exc.strerror or exc})")
            continue
        file = _read_disk_file(path, info, out)
        if file is not None:
            files.append(file)
    return files


# The rules every format shares --------------------------------------------------------------


def _finish(out: Collector, default_rubric: str | None) -> BankRead:
    taken = {c.fields["slug"] for c in out.candidates if isinstance(c.fields.get("slug"), str)}
    numbers: dict[str, int] = {}
    loaded: list[LoadedQuestion] = []
    for candidate in out.candidates:
        fields = candidate.fields
        if "category" in fields:
            category = fields.pop("category")
            fold_categories(fields, category if isinstance(category, list) else [category])
        if fields.get("rubric") in (None, "") and default_rubric:
            fields["rubric"] = default_rubric
        if fields.get("slug") in (None, "") and candidate.slug_from is not None:
            fields["slug"] = _unique_slug(
                slugify(candidate.slug_from) or "question", taken, numbers
            )
        question = _validate(candidate, out)
        if question is not None:
            loaded.append(question)
    first_seen: dict[str, LoadedQuestion] = {}
    for question in loaded:
        earlier = first_seen.setdefault(question.spec.slug, question)
        if earlier is not question:
            where = earlier.file if earlier.line is None else f"{earlier.file}:{earlier.line}"
            out.add(question.problem("slug", f"duplicate slug (also at {where})"))
    if out.problems_left_out:
        last = out.problems[-1]
        out.problems.append(
            Problem(
                last.file, None, None, f"stopped after {MAX_PROBLEMS} problems; fix these first"
            )
        )
    return BankRead(loaded, out.skipped, out.problems)


def _unique_slug(base: str, taken: set[str], numbers: dict[str, int]) -> str:
    """`base`, else `base-2`, `base-3`...: the first one free, so the same file always gives the
    same slugs. `numbers` remembers where each base got to, so a thousand "Untitled" stay fast."""
    slug, number = base, numbers.get(base, 2)
    while slug in taken:
        suffix = f"-{number}"
        slug = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        number += 1
    numbers[base] = number
    taken.add(slug)
    return slug


def _validate(candidate: Candidate, out: Collector) -> LoadedQuestion | None:
    fields = candidate.fields
    for name in ("companies", "tags", "hints"):
        value = fields.get(name)
        if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
            out.add(_problem(candidate, (name,), f"more than {MAX_LIST_ITEMS} items"))
            return None
    try:
        return LoadedQuestion(QuestionSpec.model_validate(fields), candidate.file, candidate.line)
    except ValidationError:
        pass  # located below, where the lines are worked out: failures are rare
    lines = candidate.lines() if candidate.lines else {}
    lines.setdefault(candidate.path, candidate.line)  # type: ignore[arg-type]
    document = Document(fields, candidate.file, lines)
    try:
        validate(QuestionSpec, document, candidate.path, fields)
    except SourceError as exc:
        for problem in exc.problems:
            if problem.field and problem.field.endswith("rubric") and "missing" in problem.message:
                problem = Problem(problem.file, problem.line, problem.field, NO_RUBRIC)
            out.add(problem)
    return None


def _problem(candidate: Candidate, path: FieldPath, message: str) -> Problem:
    full = (*candidate.path, *path)
    lines = candidate.lines() if candidate.lines else {}
    line = lines.get(full, candidate.line)
    return Problem(candidate.file, line, format_path(full), message)


def read_banks(paths: Sequence[str | Path]) -> list[LoadedQuestion]:
    """Read bank files that must be wholly valid (the shipped bank): `SourceError` listing every
    problem, duplicate slugs across files included."""
    read = read_bank_paths(paths)
    if read.problems:
        raise SourceError(read.problems)
    return read.questions
