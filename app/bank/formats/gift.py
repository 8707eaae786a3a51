"""GIFT, Moodle's plain-text quiz format (import only).

Questions are separated by blank lines; `//` starts a comment line. An essay is
`::Title:: text {}` (an empty answer block); any other answer block (`=`, `~`, `T`/`F`, `#`, `->`)
is a question type we do not practise, skipped with its kind. `$CATEGORY: $course$/top/A/B` sets
the category of the questions after it, as Moodle's category questions do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .core import BankFormat, Candidate, Collector, ImportFile, decode_text, register
from .moodle import category_segments, html_to_markdown

_ESCAPE = re.compile(r"\\([:{}=~#\\n])")
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_TRUE_FALSE = re.compile(r"^(t|f|true|false)\s*(#|$)", re.IGNORECASE | re.DOTALL)


def unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def find_unescaped(text: str, token: str, start: int = 0) -> int:
    """The index of `token` at or after `start` not preceded by an escaping backslash, or -1."""
    index = text.find(token, start)
    while index >= 0:
        backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
        if backslashes % 2 == 0:
            return index
        index = text.find(token, index + 1)
    return -1


def answer_kind(answers: str) -> str:
    """The Moodle question type an answer block makes."""
    answers = answers.strip()
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if _TRUE_FALSE.match(answers):
        return "truefalse"
    if find_unescaped(answers, "->") >= 0:
        return "matching"
    if find_unescaped(answers, "~") >= 0:
        return "multichoice"
    return "shortanswer"


def blocks(text: str) -> Iterator[tuple[int, str]]:
    """Each question's text and first line: blank lines separate them, comment lines go."""
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                yield start, "\n".join(current)
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        yield start, "\n".join(current)


def read_gift(file: ImportFile, out: Collector) -> None:
    text = decode_text(file, out)
    if text is None:
        return
    categories: list[str] = []
    for line, block in blocks(text):
        if block.lstrip().upper().startswith("$CATEGORY:"):
            first, _, block = block.lstrip().partition("\n")
            categories = category_segments(first.split(":", 1)[1].strip())
            line += 1
            if not block.strip():
                continue
        read_question(file.name, line, block, categories, out)
        if out.full:
            return


def read_question(file: str, line: int, block: str, categories: list[str], out: Collector) -> None:
    block = block.strip()
    title = ""
    if block.startswith("::"):
        end = find_unescaped(block, "::", 2)
        if end < 0:
            out.problem(file, line, "title", "the title has no closing ::")
            return
        title, block = " ".join(unescape(block[2:end]).split()), block[end + 2 :].strip()
    opening = find_unescaped(block, "{")
    if opening < 0:
        out.skip(file, line, "description", title or _short(unescape(block)))
        return
    closing = find_unescaped(block, "}", opening + 1)
    if closing < 0:
        out.problem(file, line, None, "an answer block { has no closing }")
        return
    kind = answer_kind(block[opening + 1 : closing])
    before, after = block[:opening].strip(), block[closing + 1 :].strip()
    text_format = "moodle"
    match = _FORMAT.match(before)
    if match:
        text_format, before = match.group(1).lower(), before[match.end() :]
    prompt = unescape("\n\n".join(part for part in (before.strip(), after) if part))
    if text_format in ("html", "moodle"):
        prompt = html_to_markdown(prompt, keep_newlines=text_format == "moodle")
    title = title or _short(prompt)
    if kind != "essay":
        out.skip(file, line, kind, title)
        return
    fields: dict[str, Any] = {"category": list(categories), "title": title}
    if prompt.strip():
        fields["prompt"] = prompt.strip()
    out.question(Candidate(fields, file, line, slug_from=title))


def _short(text: str, width: int = 80) -> str:
    first = " ".join(text.split())
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


register(
    BankFormat(
        name="gift",
        label="GIFT (Moodle, import only)",
        suffixes=(".gift", ".txt"),
        read=read_gift,
        media_type="text/plain",
        extension="gift",
        order=60,
    )
)
