"""Rubric versions: what anyone may read, and the rules of a draft's life (start, save, publish,
retire). Plain functions over a database session; the views only call them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from app.bank.service import live_rubric_version, next_version_number
from app.models import Question, RubricStatus, RubricVersion, utcnow
from pm_scoring import Rubric, SourceError
from pm_scoring.rubric import parse_rubric
from pm_scoring.sourcefile import Problem

MAX_RUBRIC_TEXT = 200_000  # characters of YAML a draft may hold


class RubricNotFound(LookupError):
    """No such rubric or version for this reader (a draft is only for coaches)."""


class DraftChanged(RuntimeError):
    """The draft was saved elsewhere (another tab) since this page loaded it."""


class DraftInvalid(ValueError):
    """A draft that does not validate cannot be published; carries what is wrong."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems[0].message if problems else "invalid rubric")


@dataclass(frozen=True)
class RubricSummary:
    rubric_id: str
    title: str
    version: int
    description: str
    criteria: int
    questions: int


@dataclass(frozen=True)
class RubricPage:
    row: RubricVersion
    content: dict[str, Any]
    live_version: int | None
    versions: list[RubricVersion]
    questions: list[Question] = field(default_factory=list)


def published_rubrics(session: Session) -> list[RubricSummary]:
    """Each rubric's live version, with how many questions use it."""
    rows = session.exec(
        select(RubricVersion)
        .where(RubricVersion.status == RubricStatus.PUBLISHED)
        .order_by(RubricVersion.rubric_id, RubricVersion.version.desc())  # type: ignore[attr-defined]
    ).all()
    counts: dict[str, int] = {}
    for rubric_id in session.exec(select(Question.rubric_id)).all():
        counts[rubric_id] = counts.get(rubric_id, 0) + 1
    live: dict[str, RubricVersion] = {}
    for row in rows:
        live.setdefault(row.rubric_id, row)
    return [
        RubricSummary(
            row.rubric_id,
            row.title,
            row.version,
            str(row.content.get("description", "")),
            len(row.content.get("criteria", [])),
            counts.get(row.rubric_id, 0),
        )
        for row in sorted(live.values(), key=lambda r: r.title.lower())
    ]


@dataclass(frozen=True)
class EditorRow:
    rubric_id: str
    title: str
    live_version: int | None
    draft: RubricVersion | None


def rubrics_for_editors(session: Session) -> list[EditorRow]:
    """Every rubric with its live version and its draft, if any (a new rubric has only a draft)."""
    rows = session.exec(
        select(RubricVersion)
        .options(defer(RubricVersion.content), defer(RubricVersion.source_text))
        .where(RubricVersion.status != RubricStatus.RETIRED)
        .order_by(RubricVersion.version.desc())  # type: ignore[attr-defined]
    ).all()
    live: dict[str, RubricVersion] = {}
    drafts: dict[str, RubricVersion] = {}
    for row in rows:
        (drafts if row.status == RubricStatus.DRAFT else live).setdefault(row.rubric_id, row)
    ids = sorted(live.keys() | drafts.keys(), key=lambda i: (live.get(i) or drafts[i]).title)
    return [
        EditorRow(
            rubric_id,
            (live.get(rubric_id) or drafts[rubric_id]).title,
            live[rubric_id].version if rubric_id in live else None,
            drafts.get(rubric_id),
        )
        for rubric_id in ids
    ]


def rubric_page(
    session: Session, rubric_id: str, version: int | None = None, with_drafts: bool = False
) -> RubricPage:
    """A rubric version as its page shows it: the live one unless a version is named. Drafts
    are found only `with_drafts` (for coaches); anyone else gets RubricNotFound."""
    versions = list(
        session.exec(
            select(RubricVersion)
            .where(RubricVersion.rubric_id == rubric_id)
            .order_by(RubricVersion.version.desc())  # type: ignore[attr-defined]
        ).all()
    )
    readable = [v for v in versions if with_drafts or v.status != RubricStatus.DRAFT]
    live = next((v for v in versions if v.status == RubricStatus.PUBLISHED), None)
    named = next((v for v in readable if v.version == version), None)
    newest = readable[0] if readable else None  # a new rubric's draft, for its editors
    row = (live or newest) if version is None else named
    if row is None:
        raise RubricNotFound(rubric_id)
    questions = session.exec(
        select(Question).where(Question.rubric_id == rubric_id).order_by(Question.title)
    ).all()
    return RubricPage(row, row.content, live.version if live else None, readable, list(questions))


def rubric_text(row: RubricVersion) -> str:
    """A version as a YAML file: as its author wrote it, or made from what is stored. Importing
    the file and publishing it, then exporting that, gives back the same file."""
    if row.source_text is not None:
        return row.source_text
    return yaml.safe_dump(row.content, sort_keys=False, allow_unicode=True, width=100)


def check_rubric_text(
    text: str, rubric_id: str | None = None
) -> tuple[Rubric | None, list[Problem]]:
    """Parse and validate a rubric's YAML: the rubric, or every problem found, each with its
    line and field. `rubric_id`: the id the text must keep (a draft cannot change rubric)."""
    if len(text) > MAX_RUBRIC_TEXT:
        return None, [Problem("rubric", None, None, f"longer than {MAX_RUBRIC_TEXT} characters")]
    try:
        rubric = parse_rubric(text, "rubric")
    except SourceError as error:
        return None, error.problems
    if rubric_id is not None and rubric.id != rubric_id:
        problem = Problem("rubric", _line_of(text, "id"), "id", f"must stay {rubric_id!r}")
        return None, [problem]
    return rubric, []


def start_draft(session: Session, rubric_id: str) -> RubricVersion:
    """The rubric's draft: the one in progress, or a new one copied from the live version."""
    existing = session.exec(
        select(RubricVersion).where(
            RubricVersion.rubric_id == rubric_id, RubricVersion.status == RubricStatus.DRAFT
        )
    ).first()
    if existing is not None:
        return existing
    live = live_rubric_version(session, rubric_id)
    if live is None:
        raise RubricNotFound(rubric_id)
    version = next_version_number(session, rubric_id)
    return _new_draft(session, live.content, _with_version(rubric_text(live), version), version)


def create_draft_from_text(session: Session, text: str) -> RubricVersion:
    """A draft from a whole YAML file (a new rubric, or an imported version of one): the text
    must validate, since the draft's rubric id comes from it."""
    rubric, problems = check_rubric_text(text)
    if rubric is None:
        raise DraftInvalid(problems)
    existing = session.exec(
        select(RubricVersion).where(
            RubricVersion.rubric_id == rubric.id, RubricVersion.status == RubricStatus.DRAFT
        )
    ).first()
    version = existing.version if existing else next_version_number(session, rubric.id)
    text = _with_version(text, version)
    if existing is not None:  # an import replaces the draft in progress, as a save would
        _fill_draft(existing, rubric, text)
        existing.revision += 1
        session.commit()
        return existing
    content = rubric.to_dict() | {"version": version}
    return _new_draft(session, content, text, version)


NEW_RUBRIC = """\
id: {id}
version: 1
title: {title}
description: What this rubric rewards, in a sentence or two (Markdown).
min_words: 120
criteria:
- id: first_criterion
  title: The first thing an interviewer listens for
  weight: 1
  description: What a strong answer does here.
  levels:
    0: Nothing on it.
    1: Mentions it in passing.
    2: Covers it in general terms.
    3: Covers it with specifics, but misses one part.
    4: Covers it fully, with specifics, reasons and results.
  concepts:
  - id: first-idea
    phrases: [a phrase that shows the idea]
    examples:
    - A sentence that shows the idea in other words.
  tip: What to add when this criterion is missing.
red_flags: []
"""


def create_rubric(session: Session, rubric_id: str, title: str) -> RubricVersion:
    """A new rubric's first draft, from a skeleton to fill in; the id must be new."""
    rubric_id, title = rubric_id.strip(), " ".join(title.split())
    if session.exec(select(RubricVersion.id).where(RubricVersion.rubric_id == rubric_id)).first():
        raise DraftInvalid([Problem("rubric", None, "id", f"a rubric {rubric_id!r} exists")])
    return create_draft_from_text(
        session, NEW_RUBRIC.format(id=rubric_id, title=json.dumps(title or rubric_id))
    )


def all_questions(session: Session) -> list[Question]:
    return list(session.exec(select(Question).order_by(Question.title)).all())


def assign_rubric(session: Session, question_slug: str, rubric_id: str, coach_id: int) -> Question:
    """Score a question against another rubric from now on (answers already scored keep the
    version that scored them). The rubric must have a published version."""
    question = session.exec(select(Question).where(Question.slug == question_slug)).first()
    if question is None:
        raise RubricNotFound(question_slug)
    if live_rubric_version(session, rubric_id, with_content=False) is None:
        raise DraftInvalid([Problem(rubric_id, None, None, "publish the rubric first")])
    question.rubric_id, question.rubric_assigned_by = rubric_id, coach_id
    question.updated_at = utcnow()
    session.commit()
    return question


def save_draft(
    session: Session, draft_id: int, text: str, revision: int
) -> tuple[RubricVersion, list[Problem]]:
    """Keep what the coach typed, valid or not, unless the draft changed since `revision` was
    read; the stored content follows the text whenever the text validates. Returns the draft
    and what is wrong with the text (nothing, once it can be published)."""
    draft = get_draft(session, draft_id)
    if draft.revision != revision:
        raise DraftChanged(draft_id)
    rubric, problems = check_rubric_text(text, draft.rubric_id)
    if len(text) > MAX_RUBRIC_TEXT:
        raise DraftInvalid(problems)
    if rubric is None:
        draft.source_text = text
    else:
        _fill_draft(draft, rubric, text)
    draft.revision += 1
    session.commit()
    return draft, problems


def publish_draft(session: Session, draft_id: int) -> RubricVersion:
    """Make the draft a published, immutable version: from now on, the live one. Its number
    is moved past any version published meanwhile, so the newest publish is always live."""
    draft = get_draft(session, draft_id)
    rubric, problems = check_rubric_text(draft.source_text or "", draft.rubric_id)
    if rubric is None:
        raise DraftInvalid(problems)
    others = session.exec(
        select(RubricVersion.version).where(
            RubricVersion.rubric_id == draft.rubric_id, RubricVersion.id != draft.id
        )
    ).all()
    if any(number >= draft.version for number in others):
        draft.version = max(others) + 1
    text = _with_version(draft.source_text or "", draft.version)
    _fill_draft(draft, rubric, text)
    draft.status = RubricStatus.PUBLISHED
    draft.published_at = utcnow()
    session.commit()
    return draft


def retire_version(session: Session, rubric_id: str, version: int) -> RubricVersion:
    """Take a published version out of use; the one before it becomes live again. The last
    published version cannot be retired: every question needs a rubric to be scored against."""
    row = session.exec(
        select(RubricVersion).where(
            RubricVersion.rubric_id == rubric_id,
            RubricVersion.version == version,
            RubricVersion.status == RubricStatus.PUBLISHED,
        )
    ).first()
    if row is None:
        raise RubricNotFound(rubric_id)
    published = session.exec(
        select(RubricVersion.id).where(
            RubricVersion.rubric_id == rubric_id, RubricVersion.status == RubricStatus.PUBLISHED
        )
    ).all()
    if len(published) == 1:
        raise DraftInvalid(
            [Problem(rubric_id, None, None, "the only published version cannot be retired")]
        )
    row.status = RubricStatus.RETIRED
    session.commit()
    return row


def discard_draft(session: Session, draft_id: int) -> str:
    draft = get_draft(session, draft_id)
    session.delete(draft)
    session.commit()
    return draft.rubric_id


def get_draft(session: Session, draft_id: int) -> RubricVersion:
    draft = session.get(RubricVersion, draft_id)
    if draft is None or draft.status != RubricStatus.DRAFT:
        raise RubricNotFound(str(draft_id))
    return draft


def _new_draft(session: Session, content: dict[str, Any], text: str, version: int) -> RubricVersion:
    draft = RubricVersion(
        rubric_id=str(content["id"]),
        version=version,
        title=str(content["title"]),
        content=content | {"version": version},
        content_hash="",
        source="coach",
        status=RubricStatus.DRAFT,
        source_text=text,
    )
    rubric, _ = check_rubric_text(text, draft.rubric_id)
    if rubric is not None:
        _fill_draft(draft, rubric, text)
    session.add(draft)
    try:
        session.commit()
    except IntegrityError:  # another editor took that version number first: theirs stands
        session.rollback()
        raise DraftChanged(draft.rubric_id) from None
    return draft


def _fill_draft(draft: RubricVersion, rubric: Rubric, text: str) -> None:
    draft.source_text = text
    draft.title = rubric.title
    draft.content = rubric.to_dict() | {"version": draft.version}
    draft.content_hash = rubric.content_hash


_VERSION_LINE = re.compile(r"^version:[ \t]*\S*[ \t]*$", re.MULTILINE)


def _with_version(text: str, version: int) -> str:
    """The YAML with its top-level `version:` set to `version` (added after `id:` if missing)."""
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(f"version: {version}", text, count=1)
    return re.sub(r"^(id:.*)$", rf"\1\nversion: {version}", text, count=1, flags=re.MULTILINE)


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^{key}:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


@dataclass(frozen=True)
class Change:
    """`field` changed from `before` to `after` (None where it did not exist)."""

    field: str
    before: Any
    after: Any

    @property
    def added(self) -> list[Any]:
        if isinstance(self.before, tuple) and isinstance(self.after, tuple):
            return [item for item in self.after if item not in self.before]
        return []

    @property
    def removed(self) -> list[Any]:
        if isinstance(self.before, tuple) and isinstance(self.after, tuple):
            return [item for item in self.before if item not in self.after]
        return []


@dataclass(frozen=True)
class SectionDiff:
    section: str  # "Rubric", "Criterion mitigation", "Red flag blame"
    changes: list[Change]


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> list[SectionDiff]:
    """Criterion by criterion (and red flag by red flag), what changed between two versions;
    sections with no change are left out."""
    diffs = []
    for section, before, after in _sections(old, new):
        flat_before, flat_after = _flatten(before), _flatten(after)
        changes = [
            Change(key, flat_before.get(key), flat_after.get(key))
            for key in dict.fromkeys([*flat_before, *flat_after])
            if flat_before.get(key) != flat_after.get(key)
        ]
        if changes:
            diffs.append(SectionDiff(section, changes))
    return diffs


def _sections(old: dict[str, Any], new: dict[str, Any]):
    skip = {"version", "criteria", "red_flags"}
    yield (
        "Rubric",
        {k: v for k, v in old.items() if k not in skip},
        {k: v for k, v in new.items() if k not in skip},
    )
    for key, label in (("criteria", "Criterion"), ("red_flags", "Red flag")):
        before = {item["id"]: item for item in old.get(key, [])}
        after = {item["id"]: item for item in new.get(key, [])}
        for item_id in dict.fromkeys([*before, *after]):
            yield f"{label} {item_id}", before.get(item_id, {}), after.get(item_id, {})


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    """{'levels': {2: 'x'}, 'concepts': [{'id': 'a', 'phrases': [...]}]} as
    {'levels.2': 'x', 'concepts[a].phrases': (...)}: lists of ids by id, other lists as tuples."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat |= _flatten(item, f"{path}.{key}" if path else str(key))
        return flat
    if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
        flat = {}
        for item in value:
            flat |= _flatten({k: v for k, v in item.items() if k != "id"}, f"{path}[{item['id']}]")
            flat[f"{path}[{item['id']}]"] = "present"
        return flat
    if isinstance(value, list):
        return {path: tuple(value)}
    return {path: value}
