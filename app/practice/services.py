"""Plain functions behind the practice views and the CLI: queries and scoring, no Flask."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from math import ceil

from sqlalchemy import bindparam, delete, insert, or_, update
from sqlmodel import Session, func, select

from app.auth.access import AttemptNotFound, attempts_visible_to, get_attempt
from app.bank.service import (
    live_rubric_version,
    question_as_asked,
    rubric_for_version,
    rubric_from_row,
)
from app.models import (
    Attempt,
    AttemptStatus,
    Question,
    RubricStatus,
    RubricVersion,
    Score,
    utcnow,
)
from pm_scoring import OFF_TOPIC_CAP, Rubric, ScoreReport, criterion_share, score


class QuestionNotFound(LookupError):
    def __init__(self, slug: str):
        super().__init__(f"no question with slug {slug!r} (run `coach init` to load the bank)")


@dataclass(frozen=True)
class QuestionFilters:
    type: str | None = None
    difficulty: str | None = None
    company: str | None = None
    tag: str | None = None
    search: str | None = None
    page: int = 1


@dataclass(frozen=True)
class QuestionPage:
    items: list[Question]
    total: int
    page: int
    pages: int
    facets: dict[str, list[str]]  # the values each filter can take, for the filter form


def list_questions(session: Session, filters: QuestionFilters, per_page: int = 20) -> QuestionPage:
    """Questions matching the filters, one page of them, with the filter choices available."""
    everything = session.exec(select(Question).order_by(Question.title)).all()
    statement = select(Question).order_by(Question.title)
    for column, value in (
        (Question.type, filters.type),
        (Question.difficulty, filters.difficulty),
    ):
        if value:
            statement = statement.where(column == value)
    if filters.search:
        term = filters.search.strip()  # "%" and "_" are searched for as typed, not wildcards
        statement = statement.where(
            or_(
                Question.title.icontains(term, autoescape=True),  # type: ignore[attr-defined]
                Question.prompt.icontains(term, autoescape=True),  # type: ignore[attr-defined]
            )
        )
    # Companies and tags are JSON lists; filtering them here keeps the SQL portable.
    matching = [
        q
        for q in session.exec(statement).all()
        if (not filters.company or filters.company in q.companies)
        and (not filters.tag or filters.tag in q.tags)
    ]
    pages = max(1, ceil(len(matching) / per_page))
    page = min(max(1, filters.page), pages)
    return QuestionPage(
        items=matching[(page - 1) * per_page : page * per_page],
        total=len(matching),
        page=page,
        pages=pages,
        facets={
            "type": sorted({q.type for q in everything if q.type}),
            "difficulty": [
                d for d in ("easy", "medium", "hard") if any(q.difficulty == d for q in everything)
            ],
            "company": sorted({c for q in everything for c in q.companies}),
            "tag": sorted({t for q in everything for t in q.tags}),
        },
    )


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


@dataclass(frozen=True)
class ScoredAnswer:
    question: Question
    rubric_version: RubricVersion
    report: ScoreReport


def score_answer(session: Session, slug: str, text: str) -> ScoredAnswer:
    """Score a text against the question's current rubric, without storing anything."""
    question = get_question(session, slug)
    row, rubric = current_rubric(session, question.rubric_id)
    return score_for_question(question, row, rubric, text)


def score_for_question(
    question: Question, rubric_row: RubricVersion, rubric: Rubric, text: str
) -> ScoredAnswer:
    asked = question_as_asked(question.title, question.prompt)
    return ScoredAnswer(question, rubric_row, score(rubric, text, asked))


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
# runs this one.
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
    tab can start another, and none may ever be out of sight."""
    params = {"user_id": user_id, "question_id": question_id}
    return list(session.exec(_DRAFTS, params=params).all())  # type: ignore[call-overload]


def pick_draft(drafts: list[Attempt], draft_id: int | None) -> Attempt | None:
    return next((draft for draft in drafts if draft.id == draft_id), None)


def current_draft(session: Session, user_id: int, question_id: int) -> Attempt | None:
    """The candidate's newest unfinished answer to this question."""
    return next(iter(drafts_for(session, user_id, question_id)), None)


def draft_version(draft: Attempt) -> str:
    """When a draft was last saved, as the page and the server both spell it: pages send it back
    with each save, so a save based on an older version is never written over a newer one."""
    return draft_version_at(draft.updated_at)


def draft_version_at(saved: datetime) -> str:
    if saved.tzinfo is None:  # SQLite hands back naive datetimes; both kinds are UTC
        saved = saved.replace(tzinfo=UTC)
    return saved.astimezone(UTC).isoformat(timespec="microseconds")


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


class AlreadySubmitted(ValueError):
    """This very answer was submitted already (a double click, a save that came late)."""

    def __init__(self, attempt_id: int):
        super().__init__(f"attempt {attempt_id} is already submitted")
        self.attempt_id = attempt_id


class DraftChanged(ValueError):
    """The draft was saved from elsewhere (another tab) since the page last saw it."""

    def __init__(self, attempt_id: int):
        super().__init__(f"draft {attempt_id} was changed elsewhere")
        self.attempt_id = attempt_id


@dataclass(frozen=True)
class SavedDraft:
    id: int | None  # None when the text was emptied, and the draft with it
    version: str  # what the page sends back with its next save ("" with no draft)
    forked: bool  # the page's draft had moved on, so its text became a draft of its own


def _parse_version(version: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(version)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def save_draft(
    session: Session,
    user_id: int,
    slug: str,
    text: str,
    time_spent: int,
    attempt_id: int | None = None,
    autosave: bool = False,
    base_version: str | None = None,
    unconfirmed_texts: Sequence[str] = (),
) -> SavedDraft:
    """Store the answer typed so far in the draft the page is editing: the one it names while
    it is still a draft, else a new one (never a draft the page did not write, which another
    tab may still be writing). Emptied text deletes the page's draft; blank text never starts
    one (`EmptyAnswer`).

    The page says which version of its draft its text is based on (`base_version`), and the
    write only happens if the draft is still at that version, in one conditional UPDATE, so a
    save from another tab in between is never silently overwritten. An autosave is then
    refused (`DraftChanged`, and the page's script decides); a "Save draft" button press keeps
    its text as a draft of its own. A named attempt that has been submitted refuses autosaves
    (`AlreadySubmitted`: a save that left the page just before Submit and arrived after it must
    not come back as a draft), and a button press with the submitted text; other text from a
    button becomes a draft of its own.

    `unconfirmed_texts` are what the page sent in its latest saves whose replies never came: if
    one of them landed, its draft is the page's own, whatever the page knows of its id or
    version."""
    question = get_question(session, slug)
    text, time_spent = _clean(text, time_spent)
    unconfirmed = _unconfirmed(unconfirmed_texts)
    if not attempt_id:
        attempt_id = _draft_of_lost_save(session, user_id, question.id, unconfirmed)
    named = _own_attempt(session, user_id, question.id, attempt_id) if attempt_id else None
    if named is not None and named.status == AttemptStatus.DRAFT:
        own_save_landed = named.answer_text in unconfirmed
        seen = (
            named.updated_at
            if own_save_landed or not base_version
            else _parse_version(base_version)
        )
        if saved := _update_draft(session, named, seen, text, time_spent):
            return saved
        # Saved from elsewhere meanwhile, or submitted, or emptied (and so deleted).
        named = _own_attempt(session, user_id, question.id, named.id)  # type: ignore[arg-type]
        if named is None and not text.strip():
            return SavedDraft(None, "", forked=False)  # emptied elsewhere too: nothing to keep
        if named is not None and named.status == AttemptStatus.DRAFT and autosave:
            raise DraftChanged(named.id)  # type: ignore[arg-type]
    if named is not None and named.status == AttemptStatus.SUBMITTED:
        if autosave or named.answer_text == text:
            raise AlreadySubmitted(named.id)  # type: ignore[arg-type]
    elif named is None and autosave and text.strip():
        # The page's first autosave can be slow enough to arrive after the Submit it preceded.
        latest = session.exec(
            attempts_visible_to(user_id)
            .where(Attempt.question_id == question.id, Attempt.status == AttemptStatus.SUBMITTED)
            .order_by(Attempt.submitted_at.desc())  # type: ignore[union-attr]
        ).first()
        if latest is not None and latest.answer_text == text:
            raise AlreadySubmitted(latest.id)  # type: ignore[arg-type]
    if not text.strip():
        raise EmptyAnswer("There is nothing to save yet: the answer is empty.")
    now = utcnow()
    draft = Attempt(
        user_id=user_id,
        question_id=question.id,
        answer_text=text,
        time_spent_seconds=time_spent,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.commit()
    return SavedDraft(draft.id, draft_version_at(now), forked=named is not None)  # type: ignore[arg-type]


def _own_attempt(
    session: Session, user_id: int, question_id: int, attempt_id: int
) -> Attempt | None:
    """The candidate's attempt at this question with this id, as the database holds it now."""
    return session.exec(
        attempts_visible_to(user_id)
        .where(Attempt.id == attempt_id, Attempt.question_id == question_id)
        .execution_options(populate_existing=True)
    ).first()


def _unconfirmed(texts: Sequence[str]) -> frozenset[str]:
    return frozenset(normalise_line_breaks(text) for text in texts if text)


def _draft_of_lost_save(
    session: Session, user_id: int, question_id: int, unconfirmed: frozenset[str]
) -> int | None:
    """The draft that one of the page's saves created, if it landed although its reply never
    came (so the page knows no draft yet): the one holding exactly a text it sent."""
    if not unconfirmed:
        return None
    drafts = drafts_for(session, user_id, question_id)
    return next((draft.id for draft in drafts if draft.answer_text in unconfirmed), None)


def _update_draft(
    session: Session, draft: Attempt, seen_at: datetime | None, text: str, time_spent: int
) -> SavedDraft | None:
    """Write the draft only if it is still a draft at the version `seen_at`, in one statement,
    so no save in between is lost; None when it is not. Text the candidate emptied deletes the
    draft instead (at that version too): an empty draft keeps nothing, and would only be
    listed, and shown as saved, as if it did."""
    at_seen_version = (
        Attempt.id == draft.id,
        Attempt.status == AttemptStatus.DRAFT,
        Attempt.updated_at == seen_at,
    )
    now, emptied = utcnow(), not text.strip()
    if not emptied:
        statement = (
            update(Attempt)
            .where(*at_seen_version)  # type: ignore[arg-type]
            .values(
                answer_text=text,
                time_spent_seconds=max(draft.time_spent_seconds, time_spent),
                updated_at=now,
            )
        )
    else:
        statement = delete(Attempt).where(*at_seen_version)  # type: ignore[arg-type,assignment]
    changed = session.execute(statement.execution_options(synchronize_session=False))
    session.commit()
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    if emptied:
        return SavedDraft(None, "", forked=False)
    return SavedDraft(draft.id, draft_version_at(now), forked=False)  # type: ignore[arg-type]


# Submitting runs once per answer and has a speed target (`make bench`), so its statements are
# built once with bound parameters (building one costs more than running it on SQLite) and it
# writes with plain INSERTs and an UPDATE instead of the ORM's unit of work.
_SUBMISSION_TARGET = (
    select(
        Question.id,
        Question.title,
        Question.prompt,
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
_ATTEMPTS = Attempt.__table__.c  # type: ignore[attr-defined]
_OWN_ATTEMPT = (_ATTEMPTS.user_id == bindparam("user_id")) & (
    _ATTEMPTS.question_id == bindparam("question_id")
)
_NAMED_ATTEMPT = select(
    _ATTEMPTS.id,
    _ATTEMPTS.status,
    _ATTEMPTS.time_spent_seconds,
    _ATTEMPTS.updated_at,
    _ATTEMPTS.answer_text,
).where(_OWN_ATTEMPT, _ATTEMPTS.id == bindparam("attempt_id"))
_SUBMITTED_TEXT = select(_ATTEMPTS.answer_text).where(
    _ATTEMPTS.id == bindparam("attempt_id"), _ATTEMPTS.status == AttemptStatus.SUBMITTED.value
)
# Only a draft may become submitted, and only as the page saw it: a second tab, a double click
# or a save from elsewhere in between finds no row to change. (The values come as parameters.)
_SUBMIT_DRAFT = update(Attempt.__table__).where(  # type: ignore[arg-type]
    _ATTEMPTS.id == bindparam("draft_id"),
    _ATTEMPTS.status == AttemptStatus.DRAFT.value,
    _ATTEMPTS.updated_at == bindparam("seen_at"),
)
_INSERT_ATTEMPT = insert(Attempt.__table__)  # type: ignore[arg-type]
_INSERT_SCORE = insert(Score.__table__)  # type: ignore[arg-type]


def submit_attempt(
    session: Session,
    user_id: int,
    slug: str,
    text: str,
    time_spent: int,
    attempt_id: int | None = None,
    base_version: str | None = None,
    unconfirmed_texts: Sequence[str] = (),
) -> int:
    """Score the answer with the question's current rubric and store it as the score of record,
    turning the candidate's draft into the submitted attempt, if it is still the version the
    page was based on (else the draft, saved from elsewhere meanwhile, stays a draft). A draft
    holding one of `unconfirmed_texts`, saves whose replies never came, is the page's own,
    whatever the page knows of its id or version. Returns the attempt's id."""
    text, time_spent = _clean(text, time_spent)
    if not text.strip():
        raise EmptyAnswer("Write an answer before submitting.")
    connection = session.connection()
    target = connection.execute(_SUBMISSION_TARGET, {"slug": slug}).first()
    if target is None:
        raise QuestionNotFound(slug)
    question_id, title, prompt, version_id, rubric_id, version, content_hash = target
    rubric = rubric_for_version(session, version_id, rubric_id, version, content_hash)
    report = score(rubric, text, question_as_asked(title, prompt))
    result = report.to_dict()

    owner = {"user_id": user_id, "question_id": question_id}

    # The draft the page edits becomes the attempt; without one (or when another tab submitted
    # it first with other text, or saved it since) the answer is an attempt of its own.
    unconfirmed = _unconfirmed(unconfirmed_texts)
    if not attempt_id:
        attempt_id = _draft_of_lost_save(session, user_id, question_id, unconfirmed)
    draft = None
    if attempt_id:
        draft = connection.execute(_NAMED_ATTEMPT, {**owner, "attempt_id": attempt_id}).first()
        if draft is not None and draft.status == AttemptStatus.SUBMITTED:
            if draft.answer_text == text:  # a double click or a late retry
                raise AlreadySubmitted(draft.id)
            draft = None
        elif (
            draft is not None
            and base_version
            and base_version != draft_version_at(draft.updated_at)
            and draft.answer_text not in unconfirmed
        ):
            draft = None
    now = utcnow()
    values = {
        "answer_text": text,
        "status": AttemptStatus.SUBMITTED.value,
        "updated_at": now,
        "submitted_at": now,
    }
    if draft is not None:
        changed = connection.execute(
            _SUBMIT_DRAFT,
            {
                **values,
                "time_spent_seconds": max(draft.time_spent_seconds, time_spent),
                "draft_id": draft.id,
                "seen_at": draft.updated_at,
            },
        )
        if changed.rowcount == 1:
            attempt_id = draft.id
        else:
            submitted = connection.execute(_SUBMITTED_TEXT, {"attempt_id": draft.id}).first()
            if submitted is not None and submitted.answer_text == text:
                session.rollback()
                raise AlreadySubmitted(draft.id)  # the same answer, submitted a moment ago
            draft = None  # submitted a moment ago with other text, or saved since: a new attempt
    if draft is None:
        inserted = connection.execute(
            _INSERT_ATTEMPT,
            {**owner, **values, "time_spent_seconds": time_spent, "created_at": now},
        )
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
            "created_at": now,
        },
    )
    session.commit()
    return attempt_id


@dataclass(frozen=True)
class Retry:
    question: Question
    kept_draft: bool  # a draft with other text was in progress, and it is left as it was


def start_retry(session: Session, user_id: int, attempt_id: int) -> Retry:
    """A new draft for the same question, pre-filled with this attempt's answer; a draft already
    in progress is never overwritten."""
    previous = get_attempt(session, user_id, attempt_id)
    question = session.get(Question, previous.question_id)
    draft = current_draft(session, user_id, previous.question_id)
    if draft is not None and draft.answer_text.strip() not in ("", previous.answer_text.strip()):
        return Retry(question, kept_draft=True)
    draft = draft or Attempt(user_id=user_id, question_id=previous.question_id)
    draft.answer_text = previous.answer_text
    draft.updated_at = utcnow()
    session.add(draft)
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


@dataclass(frozen=True)
class CriterionChange:
    id: str
    title: str
    before: int | None
    after: int | None
    max: int

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    first: AttemptResult
    second: AttemptResult
    criteria: list[CriterionChange]
    diff: list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


def compare_attempts(session: Session, user_id: int, first_id: int, second_id: int) -> Comparison:
    """Two of the candidate's scored attempts side by side: criterion changes and a word diff."""
    first = attempt_result(session, user_id, first_id)
    second = attempt_result(session, user_id, second_id)
    before = {c["id"]: c for c in first.score.criteria}
    after = {c["id"]: c for c in second.score.criteria}
    criteria = [
        CriterionChange(
            cid,
            (after.get(cid) or before[cid])["title"],
            before[cid]["score"] if cid in before else None,
            after[cid]["score"] if cid in after else None,
            (after.get(cid) or before[cid])["max"],
        )
        for cid in [*before, *(c for c in after if c not in before)]
    ]
    return Comparison(
        first, second, criteria, word_diff(first.attempt.answer_text, second.attempt.answer_text)
    )


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A word-level diff (difflib), keeping whitespace so the text reads as written."""
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(old_words[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(("delete", "".join(old_words[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(("insert", "".join(new_words[j1:j2])))
    return pieces
