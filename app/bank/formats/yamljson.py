"""Our own formats: YAML, or JSON of the same shape, with a top-level `questions:` list.

YAML is parsed once, by libyaml (`CSafeLoader`: only plain data, no Python objects). The node
tree it builds already knows every line, so a question's line costs nothing and a field's exact
line is looked up only for a question that fails validation. libyaml refuses nesting deeper than
1000 levels; aliases are checked before anything is built from them, so a "billion laughs" file
is refused instead of expanded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from pm_scoring.sourcefile import FieldPath, Problem

from .core import BankFormat, Candidate, Collector, ImportFile, decode_text, register
from .spec import QuestionSpec, bank_to_dict

MAX_JSON_DEPTH = 100
# An anchor (`&name`) after a space, an indicator or at a line's start: without one, a file can
# have no aliases, and the expansion check is skipped.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s\[\]{},]", re.MULTILINE)
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class AliasBomb(ValueError):
    pass


def parse_yaml(text: str, max_size: int) -> tuple[yaml.Node | None, Any]:
    """The document's node tree and its data (None, None for an empty file). Raises
    `yaml.YAMLError` for bad syntax or unsafe tags, `AliasBomb` when aliases would expand the
    document past `max_size`."""
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if _ANCHOR.search(text):
            check_expansion(node, max_size)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def check_expansion(root: yaml.Node, limit: int) -> None:
    """Refuse a tree whose aliases would build more than `limit` characters and values, or a
    value that contains itself. Each node is sized once, so this is linear in the file."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = len(node.value) + 1
            continue
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
        )
        if children_done:
            in_progress.discard(key)
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > limit:
                raise AliasBomb("aliases would expand this file past the size limit")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise AliasBomb("an alias refers to a value that contains it")
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                raise AliasBomb("an alias refers to a value that contains it")
            if id(child) not in sizes:
                stack.append((child, False))


def node_lines(node: yaml.Node, path: FieldPath) -> dict[FieldPath, int]:
    """The line of every field path under `node` (a mapping's fields at their keys)."""
    lines: dict[FieldPath, int] = {}
    stack: list[tuple[yaml.Node, FieldPath]] = [(node, path)]
    while stack and len(lines) < 10_000:
        current, where = stack.pop()
        lines.setdefault(where, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                child = (*where, str(key_node.value))
                lines[child] = key_node.start_mark.line + 1
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*where, i)) for i, item in enumerate(current.value))
    return lines


def _questions_node(root: yaml.Node | None) -> tuple[yaml.Node | None, dict[str, int]]:
    """The node of the `questions` list, and the line of each top-level key."""
    if not isinstance(root, yaml.MappingNode):
        return None, {}
    keys = {str(k.value): k.start_mark.line + 1 for k, _ in root.value}
    for key_node, value_node in root.value:
        if key_node.value == "questions":
            return value_node, keys
    return None, keys


def yaml_problem(file: str, exc: yaml.YAMLError, first_line: int = 1) -> Problem:
    """A YAML error as a problem; `first_line` is the file's line of the text's first line."""
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    if reason.startswith("could not determine a constructor"):
        reason = "a tag that would build an object, e.g. !!python/...; only plain data is read"
    line = mark.line + first_line if mark else None
    return Problem(file, line, None, f"invalid YAML: {reason}")


# Parsing costs by the value, not by the byte: a bank averages far more than this many bytes
# per line or list item, while a file of millions of one-letter values would take libyaml
# many seconds to refuse. Such a file is refused before parsing.
MIN_BYTES_PER_VALUE = 10


def read_yaml(file: ImportFile, out: Collector) -> None:
    text = decode_text(file, out)
    if text is None:
        return
    values = text.count("\n") + text.count(",")
    if values > max(1000, out.limits.max_bytes // MIN_BYTES_PER_VALUE):
        out.problem(
            file.name, None, None, f"refused: {values:,} lines and list items are too many to read"
        )
        return
    try:
        root, data = parse_yaml(text, 2 * out.limits.max_bytes)
    except yaml.YAMLError as exc:
        out.add(yaml_problem(file.name, exc))
        return
    except AliasBomb as exc:
        out.problem(file.name, None, None, f"refused: {exc}")
        return
    questions_node, keys = _questions_node(root)
    add_questions(file.name, data, questions_node, keys, out)


def read_json(file: ImportFile, out: Collector) -> None:
    text = decode_text(file, out)
    if text is None:
        return
    if _json_too_deep(text):
        out.problem(file.name, None, None, f"invalid JSON: nested over {MAX_JSON_DEPTH} deep")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        out.problem(file.name, exc.lineno, None, f"invalid JSON: {exc.msg}")
        return
    try:  # the same text as YAML, for the lines only (no aliases in valid JSON)
        loader = yaml.CSafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        root = None  # JSON that YAML cannot read: the data is fine, the lines are unknown
    questions_node, keys = _questions_node(root)
    add_questions(file.name, data, questions_node, keys, out)


def _json_too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def add_questions(
    file: str, data: Any, node: yaml.Node | None, keys: dict[str, int], out: Collector
) -> None:
    if not isinstance(data, dict) or "questions" not in data:
        out.problem(file, 1, "questions", "a bank needs a top-level list")
        return
    for key in data:
        if key != "questions":
            out.problem(file, keys.get(str(key)), str(key), "unknown field (check the spelling)")
    questions = data["questions"]
    if not isinstance(questions, list):
        out.problem(file, keys.get("questions"), "questions", "should be a list of questions")
        return
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    for index, fields in enumerate(questions):
        item = items[index] if index < len(items) else None
        line = item.start_mark.line + 1 if item is not None else None
        path: FieldPath = ("questions", index)
        if not isinstance(fields, dict):
            out.problem(file, line, f"questions[{index}]", "a question should be a set of fields")
            continue
        out.question(
            Candidate(
                fields,
                file,
                line,
                path,
                lines=(lambda n=item, p=path: node_lines(n, p) if n is not None else {}),
            )
        )
        if out.full:
            return


def write_yaml(questions: Sequence[QuestionSpec]) -> bytes:
    text = yaml.dump(
        bank_to_dict(questions),
        Dumper=yaml.CSafeDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return text.encode("utf-8")


def write_json(questions: Sequence[QuestionSpec]) -> bytes:
    return (json.dumps(bank_to_dict(questions), indent=2, ensure_ascii=False) + "\n").encode()


register(
    BankFormat(
        name="yaml",
        label="YAML (PM Interview Coach)",
        suffixes=(".yaml", ".yml"),
        read=read_yaml,
        write=write_yaml,
        media_type="application/yaml",
        extension="yaml",
        order=10,
    )
)
register(
    BankFormat(
        name="json",
        label="JSON (PM Interview Coach)",
        suffixes=(".json",),
        read=read_json,
        write=write_json,
        media_type="application/json",
        extension="json",
        order=20,
    )
)
