"""Markdown questions: one `.md` file a question, its fields in YAML front matter between `---`
lines and its prompt the body. Many at once come as a `.zip` (folders inside are fine) or, on the
command line, a folder.

A zip is read defensively: its entry count and the sizes its directory declares are checked
before anything is unpacked, the bytes actually unpacked are counted as they come (a directory
can lie), and an entry whose path would leave its folder is refused.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from pathlib import PurePosixPath

import yaml

from .core import BankFormat, Candidate, Collector, ImportFile, decode_text, register
from .yamljson import AliasBomb, node_lines, parse_yaml, yaml_problem

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)


def read_markdown(file: ImportFile, out: Collector) -> None:
    if file.name.lower().endswith(".zip") or file.data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        read_zip(file, out)
    else:
        read_question_file(file, out)


def read_question_file(file: ImportFile, out: Collector) -> None:
    text = decode_text(file, out)
    if text is None:
        return
    match = _FRONT_MATTER.match(text)
    if match is None:
        out.problem(file.name, 1, None, "no front matter: start with the fields between --- lines")
        return
    try:
        root, fields = parse_yaml(match.group(1), 2 * out.limits.max_bytes)
    except yaml.YAMLError as exc:
        out.add(yaml_problem(file.name, exc, first_line=2))
        return
    except AliasBomb as exc:
        out.problem(file.name, None, None, f"refused: {exc}")
        return
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        out.problem(file.name, 2, None, "the front matter should be a set of fields")
        return
    body = text[match.end() :]
    body_line = text.count("\n", 0, match.end()) + 1
    if "prompt" in fields:
        out.problem(file.name, 2, "prompt", "the prompt is the body, below the front matter")
        return
    if body.strip():
        fields["prompt"] = body.strip("\n")

    def lines() -> dict[tuple[str | int, ...], int]:
        found = {path: line + 1 for path, line in node_lines(root, ()).items()} if root else {}
        found[("prompt",)] = body_line
        return found

    stem = PurePosixPath(file.name.replace("\\", "/")).stem
    title = fields.get("title")
    out.question(
        Candidate(
            fields,
            file.name,
            1,
            lines=lines,
            slug_from=title if isinstance(title, str) and title.strip() else stem,
        )
    )


def entry_problem(name: str) -> str | None:
    """Why a zip entry's path is unsafe to use, or None."""
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return "an absolute or Windows path"
    if ".." in PurePosixPath(name).parts or posixpath.normpath(name).startswith(".."):
        return "a path that leaves its folder (..)"
    return None


def read_zip(file: ImportFile, out: Collector) -> None:
    limits = out.limits
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        out.problem(file.name, None, None, f"not a valid zip file ({exc})")
        return
    if len(entries) > limits.max_entries:
        out.problem(file.name, None, None, f"more than {limits.max_entries} entries")
        return
    declared = sum(e.file_size for e in entries)
    if declared > limits.max_bytes:
        out.problem(
            file.name,
            None,
            None,
            f"unpacks to {declared} bytes, over the limit of {limits.max_bytes}",
        )
        return
    unpacked = 0
    found = False
    for entry in entries:
        where = f"{file.name}/{entry.filename}"
        unsafe = entry_problem(entry.filename)
        if unsafe:
            out.problem(where, None, None, f"refused: {unsafe}")
            continue
        if entry.is_dir() or not entry.filename.lower().endswith(".md"):
            continue
        if PurePosixPath(entry.filename).name.startswith("._"):
            continue  # macOS resource forks beside the real files
        found = True
        try:
            with archive.open(entry) as handle:
                data = handle.read(entry.file_size + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error,
                EOFError) as exc:  # fmt: skip
            out.problem(where, None, None, f"cannot unpack ({exc})")
            continue
        unpacked += len(data)
        if len(data) > entry.file_size or unpacked > limits.max_bytes:
            out.problem(where, None, None, "unpacks to more than its declared size; refused")
            return
        read_question_file(ImportFile(where, data), out)
        if out.full:
            return
    if not found:
        out.problem(file.name, None, None, "no Markdown (.md) files in this zip")


register(
    BankFormat(
        name="markdown",
        label="Markdown files (.md, or a .zip of them)",
        suffixes=(".md", ".markdown", ".zip"),
        read=read_markdown,
        media_type="application/zip",
        extension="zip",
        order=40,
    )
)
