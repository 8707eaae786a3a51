"""CSV, for spreadsheets: a header row of field names, one question a row (without a `slug`
column or cell, the slug is made from the title).

Lists (`companies`, `tags`, `hints`) share a cell, split on `;` (`\\;` is a literal `;`, `\\\\` a
backslash). A cell a spreadsheet would run as a formula (starting `=`, `+`, `-` or `@`) is written
with a leading `'`, as is one that starts with `'` itself; reading removes one leading `'`, so
what is written reads back exactly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from .core import BankFormat, Candidate, Collector, ImportFile, decode_text, register
from .spec import QuestionSpec

COLUMNS = tuple(QuestionSpec.model_fields)
LIST_COLUMNS = frozenset({"companies", "tags", "hints"})
ACCEPTED = frozenset({*COLUMNS, "category"})  # `category` from older files folds into type/tags
_FORMULA_START = ("=", "+", "-", "@", "'")
_LIST_ITEM = re.compile(r"(?:\\.|[^;\\]|\\$)+", re.DOTALL)
_ESCAPE = re.compile(r"\\([;\\])")


def split_list(cell: str) -> list[str]:
    items = (_ESCAPE.sub(r"\1", m.group()).strip() for m in _LIST_ITEM.finditer(cell))
    return [item for item in items if item]


def join_list(items: Sequence[str]) -> str:
    return "; ".join(item.replace("\\", "\\\\").replace(";", "\\;") for item in items)


def defuse(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def undefuse(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def read_csv(file: ImportFile, out: Collector) -> None:
    text = decode_text(file, out)
    if text is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        out.problem(file.name, reader.line_num, None, f"invalid CSV: {exc}")
        return
    if not header or not any(cell.strip() for cell in header):
        out.problem(file.name, 1, None, "no header row naming the columns")
        return
    columns = [cell.strip().lstrip("\ufeff") for cell in header]
    unknown = [c for c in columns if c not in ACCEPTED]
    for column in unknown:
        out.problem(file.name, 1, column, "unknown column (check the spelling)")
    repeated = {c for c in columns if columns.count(c) > 1}
    for column in sorted(repeated):
        out.problem(file.name, 1, column, "column named twice")
    if unknown or repeated:
        return
    previous_end = reader.line_num
    while not out.full:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            out.problem(file.name, reader.line_num, None, f"invalid CSV: {exc}")
            return
        if row is None:
            return
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            out.problem(file.name, line, None, f"{len(row)} cells but {len(columns)} columns")
            continue
        fields: dict[str, object] = {}
        for column, cell in zip(columns, row, strict=False):
            value = undefuse(cell)
            if not value.strip():
                continue
            fields[column] = split_list(value) if column in LIST_COLUMNS else value
        title = fields.get("title")
        out.question(
            Candidate(fields, file.name, line, slug_from=title if isinstance(title, str) else None)
        )


def write_csv(questions: Sequence[QuestionSpec]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for question in questions:
        row = []
        for column in COLUMNS:
            value = getattr(question, column)
            if value is None:
                cell = ""
            elif column in LIST_COLUMNS:
                cell = join_list(value)
            else:
                cell = str(value)
            row.append(defuse(cell))
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


register(
    BankFormat(
        name="csv",
        label="CSV (spreadsheet)",
        suffixes=(".csv",),
        read=read_csv,
        write=write_csv,
        media_type="text/csv",
        extension="csv",
        order=30,
    )
)
