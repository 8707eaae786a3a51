"""Plain functions behind the practice views and the CLI: queries and scoring, no Flask."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, replace
from math import ceil

from sqlalchemy import (
    Select,
    Subquery,
    bindparam,
    column,
    delete,
    exists,
    insert,
    literal_column,
    or_,
    table,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.auth.access import AttemptNotFound, get_attempt
from app.bank.formats import Difficulty, QuestionType
from app.bank.service import live_rubric_version, rubric_for_version, rubric_from_row
from app.models import (
    Attempt,
    AttemptStatus,
    Question,
    QuestionLabel,
    RubricStatus,
    RubricVersion,
    Score,
    utcnow,
)
from app.observability import SCORING_SECONDS
from app.scoring import QuestionNotFound, ScoredAnswer, question_as_asked, score_for_question
from pm_scoring import OFF_TOPIC_CAP, Rubric, criterion_share, score

QUESTION_TYPES = [kind.value for kind in QuestionType]  # the one taxonomy, in its order
DIFFICULTIES = [level.value for level in Difficulty]
MAX_SEARCH_WORDS = 12  # a pasted paragraph searches for its first words, not for all of them
EXCERPT_CHARS = 220


class QuestionRetired(ValueError):
    """The question is retired: its past answers stay readable, it takes no new ones."""

    def __init__(self, slug: str):
        super().__init__(
            "This question has been retired: you can read your past answers, "
            "but it takes no new ones."
        )
        self.slug = slug


class PageOutOfRange(LookupError):
    def __init__(self, page: int, pages: int):
        super().__init__(
            f"Page {page} does not exist; there {'is' if pages == 1 else 'are'} "
            f"{pages} page{'s' if pages != 1 else ''}."
        )
        self.page, self.pages = page, pages


@dataclass(frozen=True)
class QuestionFilters:
    type: str | None = None
    difficulty: str | None = None
    company: str | None = None
    tag: str | None = None
    search: str | None = None
    page: int = 1


@dataclass(frozen=True)
class QuestionRow:
    """What one line of the question list shows, and nothing more."""

    id: int
    slug: str
    title: str
    excerpt: str  # the start of the prompt as plain text
    type: str | None
    difficulty: str | None
    time_limit_minutes: int | None
    companies: list[str]


@dataclass(frozen=True)
class QuestionPage:
    items: list[QuestionRow]
    total: int
    page: int
    pages: int
    facets: dict[str, list[str]]  # the values each filter can take, for the filter form


_LABELS = QuestionLabel.__table__.c  # type: ignore[attr-defined]
_LIVE = Question.retired_at.is_(None)  # type: ignore[union-attr]


def search_words(search: str) -> list[str]:
    """The words of a search as typed, punctuation dropped: quotes, `*`, `-`, `:`, brackets and
    NEAR are looked for as words (or not at all), never read as query syntax."""
    return re.findall(r"\w+", search)[:MAX_SEARCH_WORDS]


def _search_hits(dialect: str, words: list[str]) -> Subquery:
    """The live questions matching every word (stemmed: "outages" finds "outage"), as (id,
    relevance), higher more relevant. The one place that knows each database's full-text
    search: SQLite's FTS5 table and PostgreSQL's tsvector index come from migration 0011."""
    if dialect == "postgresql":
        # The very expression the GIN index is built on, so the planner uses the index.
        document = func.to_tsvector(
            literal_column("'english'"),
            Question.title + literal_column("' '") + Question.prompt,  # type: ignore[operator]
        )
        query = func.plainto_tsquery(literal_column("'english'"), " ".join(words))
        return (
            select(Question.id.label("id"), func.ts_rank(document, query).label("relevance"))  # type: ignore[union-attr]
            .where(document.bool_op("@@")(query))
            .subquery("hits")
        )
    # FTS5: each word a quoted string, so nothing in it is syntax; words side by side AND.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    fts = table("questions_fts", column("rowid"), column("rank"))
    return (
        select(fts.c.rowid.label("id"), (-fts.c.rank).label("relevance"))
        .where(literal_column("questions_fts").op("MATCH")(match))
        .subquery("hits")
    )


def _matching(filters: QuestionFilters, statement: Select) -> Select:
    """`statement` (over live questions) narrowed to those the filters let through."""
    statement = statement.where(_LIVE)
    for attribute, value in (
        (Question.type, filters.type),
        (Question.difficulty, filters.difficulty),
    ):
        if value:
            statement = statement.where(attribute == value)
    for kind, value in (("company", filters.company), ("tag", filters.tag)):
        if value:
            labelled = select(_LABELS.question_id).where(
                _LABELS.kind == kind, _LABELS.value == value
            )
            statement = statement.where(Question.id.in_(labelled))  # type: ignore[union-attr]
    return statement


def list_questions(session: Session, filters: QuestionFilters, per_page: int = 20) -> QuestionPage:
    """One page of the live questions matching the filters, most relevant first when searching
    (else by title), with the filter choices. Filtering, counting and paging all run in SQL, and
    only the columns a row shows are read, so a page costs about the same with 50 questions or
    10,000. A page past the end raises `PageOutOfRange`."""
    search = (filters.search or "").strip()
    words = search_words(search)
    hits = _search_hits(session.get_bind().dialect.name, words) if words else None

    def narrowed(statement: Select) -> Select:
        if hits is not None:
            statement = statement.join(hits, hits.c.id == Question.id)
        elif search:  # no words ("%", "?"): the text as typed, "%" and "_" no wildcards
            statement = statement.where(
                or_(
                    Question.title.icontains(search, autoescape=True),  # type: ignore[attr-defined]
                    Question.prompt.icontains(search, autoescape=True),  # type: ignore[attr-defined]
                )
            )
        return _matching(filters, statement)

    total = session.execute(narrowed(select(func.count()).select_from(Question))).scalar_one()
    pages = max(1, ceil(total / per_page))
    page = max(1, filters.page)
    if page > pages:
        raise PageOutOfRange(page, pages)
    # The page's ids first, from the index alone (title order is the (retired_at, title)
    # index's, or relevance when searching); then the columns shown, for those rows only.
    keys = [Question.title, Question.id]
    if hits is not None:
        keys.insert(0, hits.c.relevance)
    chosen = (
        narrowed(select(*keys))
        .order_by(*_descending_first(keys, hits is not None))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("chosen")
    )
    rows = session.execute(
        select(
            Question.id,
            Question.slug,
            Question.title,
            func.substr(Question.prompt, 1, 2 * EXCERPT_CHARS),
            Question.type,
            Question.difficulty,
            Question.time_limit_minutes,
            Question.companies,
        )
        .join(chosen, chosen.c.id == Question.id)
        .order_by(*_descending_first(list(chosen.c), hits is not None))
    ).all()
    items = [
        QuestionRow(id, slug, title, plain_excerpt(start), *rest)
        for id, slug, title, start, *rest in rows
    ]
    return QuestionPage(items, total, page, pages, question_facets(session))


def _descending_first(keys: list, relevance_first: bool) -> list:
    """The list's order: most relevant first when searching, then by title (then id)."""
    return [keys[0].desc(), *keys[1:]] if relevance_first else keys


# The companies and tags of live questions. Every question has a few labels, so DISTINCT over
# them all would read every row; instead each next value is found from the (kind, value) index
# (a loose index scan), and kept if some live question carries it: a few index probes per value.
_LIVE_LABELS = sql_text(
    """
    WITH RECURSIVE
      companies(value) AS (
        SELECT min(value) FROM question_labels WHERE kind = 'company'
        UNION ALL
        SELECT (SELECT min(l.value) FROM question_labels l
                WHERE l.kind = 'company' AND l.value > c.value)
        FROM companies c WHERE c.value IS NOT NULL),
      tags(value) AS (
        SELECT min(value) FROM question_labels WHERE kind = 'tag'
        UNION ALL
        SELECT (SELECT min(l.value) FROM question_labels l
                WHERE l.kind = 'tag' AND l.value > t.value)
        FROM tags t WHERE t.value IS NOT NULL),
      found(kind, value) AS (
        SELECT 'company', value FROM companies WHERE value IS NOT NULL
        UNION ALL
        SELECT 'tag', value FROM tags WHERE value IS NOT NULL)
    SELECT found.kind, found.value FROM found
    WHERE EXISTS (
      SELECT 1 FROM question_labels l JOIN questions q ON q.id = l.question_id
      WHERE l.kind = found.kind AND l.value = found.value AND q.retired_at IS NULL)
    """
)


def question_facets(session: Session) -> dict[str, list[str]]:
    """The values each filter can take among live questions, each from a small query: a type
    or difficulty, company or tag is offered if some live question has it."""
    live_with = lambda condition: exists().where(_LIVE, condition)  # noqa: E731
    present = session.execute(
        select(
            *(live_with(Question.type == value) for value in QUESTION_TYPES),
            *(live_with(Question.difficulty == value) for value in DIFFICULTIES),
        )
    ).one()
    found = dict(zip([*QUESTION_TYPES, *DIFFICULTIES], present, strict=True))
    types = [value for value in QUESTION_TYPES if found[value]]
    difficulties = [value for value in DIFFICULTIES if found[value]]
    labels: dict[str, list[str]] = {"company": [], "tag": []}
    for kind, value in session.execute(_LIVE_LABELS).all():
        labels[kind].append(value)
    for values in labels.values():
        values.sort(key=str.casefold)
    return {"type": types, "difficulty": difficulties, **labels}


_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>|~]+|^\s*(?:[-+]|\d+\.)\s+", re.M)


def plain_excerpt(markdown: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a prompt as plain text on one line: Markdown's marks dropped (a link keeps
    its words), cut at a word boundary with an ellipsis."""
    plain = " ".join(_MARKUP.sub(lambda m: m.group(1) or " ", markdown).split())
    if len(plain) <= limit:
        return plain
    cut = plain[: limit + 1].rsplit(" ", 1)[0] if " " in plain[:limit] else plain[:limit]
    return cut.rstrip(",.;:") + "…"


def home_summary(session: Session) -> tuple[int, list[str]]:
    """How many live questions there are, and their types: what the home page shows."""
    total = session.execute(select(func.count()).select_from(Question).where(_LIVE)).scalar_one()
    return total, question_facets(session)["type"]


_QUESTION_BY_SLUG = select(Question).where(Question.slug == bindparam("slug"))  # built once


def get_question(session: Session, slug: str) -> Question:
    question = session.exec(_QUESTION_BY_SLUG, params={"slug": slug}).first()  # type: ignore[call-overload]
    if question is None:
        raise QuestionNotFound(slug)
    return question


def current_rubric(session: Session, rubric_id: str) -> tuple[RubricVersion, Rubric]:
    """The live version of a rubric (the highest published), compiled once per version."""
    row = live_rubric_version(session, rubric_id, with_content=False)
    if row is None:
        raise LookupError(f"no rubric {rubric_id!r} in the database (run `coach init`)")
    return row, rubric_from_row(row)


def score_answer(session: Session, slug: str, text: str) -> ScoredAnswer:
    """Score a text against the question's current rubric, without storing anything."""
    question = get_question(session, slug)
    row, rubric = current_rubric(session, question.rubric_id)
    return score_for_question(question, row, rubric, text)


@dataclass(frozen=True)
class ScoreArithmetic:
    weighted: int  # the criteria's levels, weighted, out of 100
    penalties: list[dict]  # the flags that took points off
    cap: int | None  # the ceiling an off-topic answer is held to


def score_arithmetic(stored: Score) -> ScoreArithmetic:
    """How a stored score's overall was made, worked out again from its criteria and flags."""
    criteria = stored.criteria
    total = sum(c["weight"] for c in criteria) or 1
    weighted = (
        100
        * sum(
            c["weight"]
            * criterion_share(
                c["score"], c.get("points", 0), c.get("full_marks_at", 3), bool(c.get("concepts"))
            )
            for c in criteria
        )
        / total
    )
    flags = stored.flags
    return ScoreArithmetic(
        weighted=round(weighted),
        penalties=[f for f in flags if f.get("penalty")],
        cap=OFF_TOPIC_CAP if any(f["id"] == "off_topic" for f in flags) else None,
    )


def all_questions(session: Session) -> list[Question]:
    return list(session.exec(select(Question).order_by(Question.slug)).all())


# Attempts ---------------------------------------------------------------------------------------

MAX_ANSWER_CHARS = 50_000
MAX_TIME_SECONDS = 6 * 60 * 60


class EmptyAnswer(ValueError):
    pass


class AnswerTooLong(ValueError):
    """Refused rather than cut: a silently shortened answer would lose what the candidate wrote."""


# Built once: building a statement costs more than running it on SQLite, and every answer page
# runs this one. An emptied draft is deleted, so every draft listed holds some text.
_DRAFTS = (
    select(Attempt)
    .where(
        Attempt.user_id == bindparam("user_id"),
        Attempt.question_id == bindparam("question_id"),
        Attempt.status == AttemptStatus.DRAFT,
    )
    .order_by(Attempt.updated_at.desc(), Attempt.id.desc())  # type: ignore[attr-defined,union-attr]
)


def drafts_for(session: Session, user_id: int, question_id: int) -> list[Attempt]:
    """The candidate's unfinished answers to this question, newest first. Usually one; a second
    tab starts another, and none may ever be out of sight."""
    params = {"user_id": user_id, "question_id": question_id}
    return list(session.exec(_DRAFTS, params=params).all())  # type: ignore[call-overload]


def pick_draft(drafts: list[Attempt], draft_id: int | None) -> Attempt | None:
    return next((draft for draft in drafts if draft.id == draft_id), None)


def current_draft(session: Session, user_id: int, question_id: int) -> Attempt | None:
    """The candidate's newest unfinished answer to this question."""
    return next(iter(drafts_for(session, user_id, question_id)), None)


def new_draft_key() -> str:
    """A key for a draft the server starts: the no-script form's, a retry's, or a text that
    could not land under its page's key. Pages make theirs the same way (a random UUID)."""
    return str(uuid.uuid4())


def normalise_line_breaks(text: str) -> str:
    """Browsers send line breaks as CRLF; store LF, so the text diffs and displays as typed."""
    return text.replace("\r\n", "\n")


def _clean(text: str, time_spent: int) -> tuple[str, int]:
    text = normalise_line_breaks(text)
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(
            f"Your answer is {len(text):,} characters long; the limit is {MAX_ANSWER_CHARS:,}. "
            "Shorten it, then save or submit again."
        )
    return text, max(0, min(int(time_spent), MAX_TIME_SECONDS))


def only_the_template(text: str, template: str | None) -> bool:
    """Whether an answer is the question's answer template as it came (spacing aside): no
    answer yet, so it is neither kept as a draft nor scored."""
    return bool(template) and text.split() == template.split()  # type: ignore[union-attr]


class AlreadySubmitted(ValueError):
    """The draft under this key has been submitted (a double click, a save that came late), or
    a new draft would hold exactly the answer submitted last. `same_text`: the attempt holds the
    very text that was sent."""

    def __init__(self, attempt_id: int, draft_key: str | None, same_text: bool = True):
        super().__init__(f"attempt {attempt_id} is already submitted")
        self.attempt_id, self.draft_key, self.same_text = attempt_id, draft_key, same_text


class DraftChanged(ValueError):
    """The draft under this key holds a newer version with other text, saved from elsewhere (a
    page on another device with the same draft open): this save did not land."""

    def __init__(self, attempt_id: int, version: int):
        super().__init__(f"draft {attempt_id} is at version {version} already")
        self.attempt_id, self.version = attempt_id, version


@dataclass(frozen=True)
class SavedDraft:
    id: int | None  # None when the text was emptied, and the draft with it
    key: str  # the draft's key: the page's, or a new one when `forked`
    version: int  # the version the server holds under that key
    forked: bool = False  # the page's draft had moved on, so its text became a draft of its own


# An autosave runs every few seconds on every open answer page, so, like submitting, it reads
# only the columns it needs with statements built once, and writes with one conditional UPDATE.
_DRAFT_TARGET = select(Question.id, Question.retired_at, Question.answer_template).where(
    Question.slug == bindparam("slug")
)
_ATTEMPTS = Attempt.__table__.c  # type: ignore[attr-defined]
_OWN_ATTEMPT = (_ATTEMPTS.user_id == bindparam("user_id")) & (
    _ATTEMPTS.question_id == bindparam("question_id")
)
_BY_KEY = select(_ATTEMPTS.id, _ATTEMPTS.status, _ATTEMPTS.version, _ATTEMPTS.answer_text).where(
    _OWN_ATTEMPT, _ATTEMPTS.draft_key == bindparam("draft_key")
)
# A save lands only on a draft, and only when it is newer than what the row holds: a late,
# older save (or one from a page that lost the race) finds no row to change.
_OLDER_DRAFT = (
    _ATTEMPTS.id == bindparam("draft_id"),
    _ATTEMPTS.status == AttemptStatus.DRAFT.value,
    _ATTEMPTS.version < bindparam("new_version"),
)
_UPDATE_DRAFT = (
    update(Attempt.__table__)  # type: ignore[arg-type]
    .where(*_OLDER_DRAFT)
    .values(
        answer_text=bindparam("text"),
        time_spent_seconds=bindparam("seconds"),
        version=bindparam("new_version"),
        updated_at=bindparam("now"),
    )
)
_DELETE_DRAFT = delete(Attempt.__table__).where(*_OLDER_DRAFT)  # type: ignore[arg-type]
_LATEST_SUBMITTED = (
    select(_ATTEMPTS.id, _ATTEMPTS.draft_key, _ATTEMPTS.answer_text)
    .where(_OWN_ATTEMPT, _ATTEMPTS.status == AttemptStatus.SUBMITTED.value)
    .order_by(_ATTEMPTS.submitted_at.desc(), _ATTEMPTS.id.desc())
    .limit(1)
)
_INSERT_ATTEMPT = insert(Attempt.__table__)  # type: ignore[arg-type]
# Another request may write the same key between our read and our write (a double click, a
# save racing a submit): the statement that loses finds nothing to change, or meets the unique
# constraint, and the whole decision is taken again from what is stored now.
_WRITE_TRIES = 3


def save_draft(
    session: Session,
    user_id: int,
    slug: str,
    text: str,
    time_spent: int,
    draft_key: str | None = None,
    version: int = 1,
) -> SavedDraft:
    """Store the answer typed so far under the page's draft key: an upsert of the row (user,
    question, key) that lands only when `version` is newer than the version stored. So a save
    whose reply was lost is simply sent again, and a late, older save never overwrites a newer
    one. Emptied text deletes the draft; blank text never starts one (`EmptyAnswer`, unless the
    page saved under its key before: then there is simply nothing to keep). Without a key the
    text is a draft of its own.

    Refused with `AlreadySubmitted` when the key's draft has been submitted (a save that left the
    page just before Submit and arrived after it must not bring it back as a draft), or when a
    new draft would hold exactly the answer submitted last; with `DraftChanged` when the key
    holds a version as new or newer with other text (the same draft open on another device)."""
    question = session.connection().execute(_DRAFT_TARGET, {"slug": slug}).first()
    if question is None:
        raise QuestionNotFound(slug)
    if question.retired_at is not None:
        raise QuestionRetired(slug)
    text, time_spent = _clean(text, time_spent)
    only_template = only_the_template(text, question.answer_template)
    if only_template:
        text = ""  # the template as it came is no answer yet: it keeps (or starts) no draft
    key = draft_key or new_draft_key()
    owner = {"user_id": user_id, "question_id": question.id, "draft_key": key}
    for _ in range(_WRITE_TRIES):
        connection = session.connection()
        row = connection.execute(_BY_KEY, owner).first()
        if row is None:
            if not text.strip() and version > 1:
                session.rollback()
                return SavedDraft(None, key, version)  # emptied (and so deleted) already
            if not text.strip():
                session.rollback()
                raise EmptyAnswer(
                    "There is nothing to save yet: the answer box holds only the template."
                    if only_template
                    else "There is nothing to save yet: the answer is empty."
                )
            latest = connection.execute(_LATEST_SUBMITTED, owner).first()
            if latest is not None and latest.answer_text == text:
                session.rollback()
                raise AlreadySubmitted(latest.id, latest.draft_key)
            now = utcnow()
            values = {"answer_text": text, "time_spent_seconds": time_spent, "version": version}
            try:
                inserted = connection.execute(
                    _INSERT_ATTEMPT, {**owner, **values, "created_at": now, "updated_at": now}
                )
                session.commit()
            except IntegrityError:  # the same key saved at the same moment: look again
                session.rollback()
                continue
            return SavedDraft(inserted.inserted_primary_key[0], key, version)
        if row.status == AttemptStatus.SUBMITTED:
            session.rollback()
            raise AlreadySubmitted(row.id, key, same_text=row.answer_text == text)
        newer = {"draft_id": row.id, "new_version": version}
        if text.strip():
            values = {"text": text, "seconds": time_spent, "now": utcnow()}
            changed = connection.execute(_UPDATE_DRAFT, {**newer, **values})
        else:
            changed = connection.execute(_DELETE_DRAFT, newer)
        session.commit()
        if changed.rowcount == 1:  # type: ignore[attr-defined]
            return SavedDraft(row.id if text.strip() else None, key, version)
        held = session.connection().execute(_BY_KEY, owner).first()
        if held is None and not text.strip():
            session.rollback()
            return SavedDraft(None, key, version)  # emptied, and so deleted, already
        if held is not None and held.status == AttemptStatus.DRAFT and held.version >= version:
            session.rollback()
            if held.answer_text == text:  # this very save, sent again: it is there
                return SavedDraft(held.id, key, held.version)
            raise DraftChanged(held.id, held.version)
        session.rollback()  # submitted or deleted meanwhile: decide again
    raise DraftChanged(0, version)  # still losing races: the page keeps its text and says so


def keep_draft(
    session: Session,
    user_id: int,
    slug: str,
    text: str,
    time_spent: int,
    draft_key: str | None,
    version: int,
) -> SavedDraft:
    """The no-script "Save draft" button: a save that is never refused for a conflict. Text that
    cannot land under its key (a newer version saved there from elsewhere, or the draft since
    submitted with other text) becomes a draft of its own, `forked`."""
    try:
        return save_draft(session, user_id, slug, text, time_spent, draft_key, version)
    except DraftChanged:
        pass
    except AlreadySubmitted as done:
        if done.same_text or done.draft_key != draft_key:
            raise  # this very answer was submitted: its result is the answer
    saved = save_draft(session, user_id, slug, text, time_spent, new_draft_key())
    return replace(saved, forked=True)


# Submitting runs once per answer and has a speed target (`make bench`), so its statements are
# built once with bound parameters (building one costs more than running it on SQLite) and it
# writes with plain INSERTs and an UPDATE instead of the ORM's unit of work.
_SUBMISSION_TARGET = (
    select(
        Question.id,
        Question.title,
        Question.prompt,
        Question.hints,
        Question.model_answer,
        Question.answer_template,
        Question.retired_at,
        Question.version,
        RubricVersion.id,
        RubricVersion.rubric_id,
        RubricVersion.version,
        RubricVersion.content_hash,
    )
    .join(RubricVersion, RubricVersion.rubric_id == Question.rubric_id)  # type: ignore[arg-type]
    .where(Question.slug == bindparam("slug"), RubricVersion.status == RubricStatus.PUBLISHED)
    .order_by(RubricVersion.version.desc())  # type: ignore[attr-defined]
    .limit(1)
)
# The draft becomes the attempt only as it was read (its version and status unchanged).
_SUBMIT_DRAFT = (
    update(Attempt.__table__)  # type: ignore[arg-type]
    .where(
        _ATTEMPTS.id == bindparam("draft_id"),
        _ATTEMPTS.status == AttemptStatus.DRAFT.value,
        _ATTEMPTS.version == bindparam("seen"),
    )
    .values(
        answer_text=bindparam("text"),
        time_spent_seconds=bindparam("seconds"),
        status=AttemptStatus.SUBMITTED.value,
        version=bindparam("new_version"),
        updated_at=bindparam("now"),
        submitted_at=bindparam("now"),
    )
)
_INSERT_SCORE = insert(Score.__table__)  # type: ignore[arg-type]


def submit_attempt(
    session: Session,
    user_id: int,
    slug: str,
    text: str,
    time_spent: int,
    draft_key: str | None = None,
    version: int | None = None,
) -> int:
    """Score the answer with the question's current rubric and store it as the score of record,
    turning the page's draft (found by its key) into the submitted attempt; without a draft under
    that key, the answer is inserted under it. If a newer version with other text was saved under
    the key meanwhile (the same draft open elsewhere), that draft stays and the answer is an
    attempt of its own. The same answer submitted again under the same key (a double click, a
    late resend) is `AlreadySubmitted`. Without a key (a mock interview's answer, the command
    line) the answer is a fresh attempt. Returns the attempt's id."""
    text, time_spent = _clean(text, time_spent)
    if not text.strip():
        raise EmptyAnswer("Write an answer before submitting.")
    connection = session.connection()
    target = connection.execute(_SUBMISSION_TARGET, {"slug": slug}).first()
    if target is None:
        raise QuestionNotFound(slug)
    question_id, title, prompt, hints, model_answer, template, retired_at, *rest = target
    question_version, *rubric_version = rest
    if retired_at is not None:
        raise QuestionRetired(slug)
    if only_the_template(text, template):
        raise EmptyAnswer(
            "The answer is still the template as it came: write your answer into it, then submit."
        )
    version_id, rubric_id, version_number, content_hash = rubric_version
    rubric = rubric_for_version(session, version_id, rubric_id, version_number, content_hash)
    started = time.perf_counter()
    report = score(rubric, text, question_as_asked(title, prompt), hints, model_answer)
    SCORING_SECONDS.observe(time.perf_counter() - started)
    result = report.to_dict()

    owner = {"user_id": user_id, "question_id": question_id}
    key = draft_key
    for _ in range(_WRITE_TRIES):
        connection = session.connection()
        row = connection.execute(_BY_KEY, {**owner, "draft_key": key}).first() if key else None
        if row is not None and row.status == AttemptStatus.SUBMITTED:
            if row.answer_text == text:  # a double click or a late resend
                session.rollback()
                raise AlreadySubmitted(row.id, key)
            row, key = None, None  # other text, after it was submitted: an attempt of its own
        elif (
            row is not None
            and version is not None
            and row.version >= version
            and row.answer_text != text
        ):
            row, key = None, None  # newer text saved there meanwhile: it stays a draft
        now = utcnow()
        if row is not None:
            # Only the draft as it was just read: a save or a submission in between changes
            # its version or status, and the decision is taken again.
            changed = connection.execute(
                _SUBMIT_DRAFT,
                {
                    "draft_id": row.id,
                    "seen": row.version,
                    "new_version": max(row.version, version or 0),
                    "text": text,
                    "seconds": time_spent,
                    "now": now,
                },
            )
            if changed.rowcount != 1:
                session.rollback()
                continue
            attempt_id = row.id
        else:
            try:
                inserted = connection.execute(
                    _INSERT_ATTEMPT,
                    {
                        **owner,
                        "answer_text": text,
                        "time_spent_seconds": time_spent,
                        "status": AttemptStatus.SUBMITTED.value,
                        "updated_at": now,
                        "submitted_at": now,
                        "draft_key": key or new_draft_key(),
                        "version": version or 1,
                        "created_at": now,
                    },
                )
            except IntegrityError:  # the same key written at the same moment: look again
                session.rollback()
                continue
            attempt_id = inserted.inserted_primary_key[0]
        connection.execute(
            _INSERT_SCORE,
            {
                "attempt_id": attempt_id,
                "rubric_version_id": version_id,
                "overall": report.overall,
                "criteria": result["criteria"],
                "flags": result["flags"],
                "engine_version": report.engine_version,
                "question_version": question_version,
                "created_at": now,
            },
        )
        session.commit()
        return attempt_id
    raise DraftChanged(0, version or 0)  # still losing races after several tries


@dataclass(frozen=True)
class Retry:
    question: Question
    kept_draft: bool  # a draft with other text was in progress, and it is left as it was


def start_retry(session: Session, user_id: int, attempt_id: int) -> Retry:
    """A new draft for the same question, under a key of its own, pre-filled with this attempt's
    answer; a draft already in progress is never overwritten (nor a second copy started)."""
    previous = get_attempt(session, user_id, attempt_id)
    question = session.get(Question, previous.question_id)
    if question.retired_at is not None:  # type: ignore[union-attr]
        raise QuestionRetired(question.slug)  # type: ignore[union-attr]
    draft = current_draft(session, user_id, previous.question_id)
    if draft is not None:
        return Retry(question, kept_draft=draft.answer_text.strip() != previous.answer_text.strip())
    session.add(
        Attempt(
            user_id=user_id,
            question_id=previous.question_id,
            answer_text=previous.answer_text,
            draft_key=new_draft_key(),
            version=1,
        )
    )
    session.commit()
    return Retry(question, kept_draft=False)


@dataclass(frozen=True)
class AttemptResult:
    attempt: Attempt
    question: Question
    score: Score
    rubric: RubricVersion


def attempt_result(session: Session, user_id: int, attempt_id: int) -> AttemptResult:
    attempt = get_attempt(session, user_id, attempt_id)
    result = session.exec(
        select(Score, RubricVersion, Question)
        .where(Score.attempt_id == attempt.id)
        .join(RubricVersion, RubricVersion.id == Score.rubric_version_id)  # type: ignore[arg-type]
        .join(Question, Question.id == attempt.question_id)  # type: ignore[arg-type]
    ).first()
    if result is None:  # a draft has no result yet
        raise AttemptNotFound(attempt_id)
    stored, rubric, question = result
    return AttemptResult(attempt, question, stored, rubric)


@dataclass(frozen=True)
class HistoryRow:
    attempt: Attempt
    question: Question
    overall: int
    rubric_version: str = ""  # "incident-response v3": the version that gave the score


def submitted_history(
    session: Session, user_id: int, question_id: int | None = None
) -> list[HistoryRow]:
    """Submitted attempts with their scores, oldest first, in one query."""
    statement = (
        select(Attempt, Question, Score.overall, RubricVersion.rubric_id, RubricVersion.version)
        .where(Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED)
        .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
        .join(Score, Score.attempt_id == Attempt.id)  # type: ignore[arg-type]
        .join(RubricVersion, RubricVersion.id == Score.rubric_version_id)  # type: ignore[arg-type]
        .order_by(Attempt.submitted_at, Attempt.id)  # type: ignore[arg-type]
    )
    if question_id is not None:
        statement = statement.where(Attempt.question_id == question_id)
    return [
        HistoryRow(a, q, overall, f"{rubric} v{version}")
        for a, q, overall, rubric, version in session.exec(statement).all()
    ]


def best_scores(session: Session, user_id: int) -> dict[int, int]:
    """question id -> the candidate's best overall score, in one query."""
    statement = (
        select(Attempt.question_id, func.max(Score.overall))
        .join(Score, Score.attempt_id == Attempt.id)  # type: ignore[arg-type]
        .where(Attempt.user_id == user_id)
        .group_by(Attempt.question_id)
    )
    return dict(session.exec(statement).all())
