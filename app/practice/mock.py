"""Mock interviews: several questions, timed, one after another, scored only at the end.

The answer typed so far lives on its `MockQuestion` row, with the page's count of its saves
(`version`): a save lands only if it is newer, so a save whose reply was lost is simply sent
again. The current question is the last one asked (`started_at` set); "Next" asks the one after.
Finishing submits every answered question as an ordinary scored attempt, once.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import update
from sqlmodel import Session, select

from app.bank.formats.spec import SLUG_PATTERN, Difficulty, QuestionType, readable
from app.errors import FieldError
from app.models import (
    Attempt,
    AttemptStatus,
    MockInterview,
    MockQuestion,
    MockStatus,
    Question,
    RubricVersion,
    Score,
    utcnow,
)

from .services import (
    DIFFICULTIES,
    MAX_ANSWER_CHARS,
    MAX_TIME_SECONDS,
    QUESTION_TYPES,
    AnswerTooLong,
    EmptyAnswer,
    QuestionFilters,
    QuestionNotFound,
    QuestionRetired,
    _matching,
    normalise_line_breaks,
    submit_attempt,
)
from .suggest import WeakCriterion, next_question

MIN_QUESTIONS, MAX_QUESTIONS = 3, 6
DEFAULT_MINUTES = 10  # for a question that sets no time limit of its own
LOOPS_FILE = Path(__file__).with_name("loops.yaml")
WEAKEST_SHOWN = 3
FINISH_STALE = timedelta(minutes=2)  # a finish claimed this long ago by a request that died


class MockNotFound(LookupError):
    """No such mock interview for this user: missing and someone else's are the same 404."""


class MockFinished(ValueError):
    """The interview has ended: its answers were submitted and take no more changes."""


class MockInProgress(ValueError):
    """The interview is still running: its report comes once it is finished."""


class MockFinishing(ValueError):
    """The interview's answers are being scored: the report is a moment away."""


# Loops ------------------------------------------------------------------------------------------


class LoopFileError(ValueError):
    """The loops file cannot be used; the message names the file, the loop and the field."""


Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class LoopSlot(BaseModel):
    """One question of a loop: the kinds it takes, and what it prefers among them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    types: list[QuestionType] = Field(min_length=1)
    companies: list[Label] = []
    tags: list[Label] = []
    difficulty: Difficulty | None = None


class Loop(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str = ""
    slots: list[LoopSlot] = Field(min_length=MIN_QUESTIONS, max_length=MAX_QUESTIONS)


class _LoopFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    loops: list[Loop] = Field(min_length=1)


def load_loops(path: Path = LOOPS_FILE) -> dict[str, Loop]:
    """The ready-made loops, by id, in the file's order; read once per version of the file."""
    try:
        modified = path.stat().st_mtime_ns
    except OSError as error:
        raise LoopFileError(f"{path.name}: cannot be read ({error.strerror})") from None
    return _read_loops(path, modified)


@cache
def _read_loops(path: Path, _modified: int) -> dict[str, Loop]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise LoopFileError(f"{path.name}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise LoopFileError(f"{path.name}: must be a mapping with a `loops:` list")
    try:
        loops = _LoopFile.model_validate(data).loops
    except ValidationError as error:
        problem = error.errors(include_url=False, include_input=False)[0]
        raise LoopFileError(
            f"{path.name}: {_where(data, problem['loc'])}: {problem['msg']}"
        ) from None
    seen: set[str] = set()
    for loop in loops:
        if loop.id in seen:
            raise LoopFileError(f"{path.name}: loop {loop.id!r} is defined twice")
        seen.add(loop.id)
    return {loop.id: loop for loop in loops}


def _where(data: Any, location: tuple[int | str, ...]) -> str:
    """A validation error's place as a reader finds it: `loop 'meta-pm', slots[1].types`."""
    parts: list[str] = []
    node = data
    for step in location:
        if parts == ["loops"] and isinstance(step, int):
            loop_id = node[step].get("id") if isinstance(node[step], dict) else None
            parts = [f"loop {loop_id!r}" if loop_id else f"loop #{step + 1}"]
        elif isinstance(step, int):
            parts[-1] += f"[{step}]"
        else:
            parts.append(str(step))
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return ", ".join([parts[0], ".".join(parts[1:])]) if len(parts) > 1 else ".".join(parts)


# Starting ---------------------------------------------------------------------------------------


def time_limit_seconds(question: Question) -> int:
    return (question.time_limit_minutes or DEFAULT_MINUTES) * 60


def start_by_filters(
    session: Session,
    user_id: int,
    count: int | None,
    type: str | None = None,
    difficulty: str | None = None,
    company: str | None = None,
    rng: random.Random | None = None,
) -> MockInterview:
    """A mock of `count` live questions matching the filters, ones the candidate has not
    answered before first, in a random order."""
    if count is None or not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise FieldError("count", f"Choose between {MIN_QUESTIONS} and {MAX_QUESTIONS} questions.")
    if type and type not in QUESTION_TYPES:
        raise FieldError("type", f"{type!r} is not a question type; choose one from the list.")
    if difficulty and difficulty not in DIFFICULTIES:
        raise FieldError("difficulty", f"{difficulty!r} is not a difficulty: easy, medium or hard.")
    filters = QuestionFilters(type=type or None, difficulty=difficulty or None, company=company)
    matching = list(session.exec(_matching(filters, select(Question))).all())
    wanted = _describe(type, difficulty, company)
    if not matching:
        raise FieldError(
            "filters", f"There are no {wanted} in the bank: widen the filters (set one to “Any”)."
        )
    if len(matching) < count:
        are = "are" if len(matching) != 1 else "is"
        raise FieldError(
            "count",
            f"Only {len(matching)} of the {wanted} {are} in the bank: ask for fewer questions, "
            "or widen the filters.",
        )
    rng = rng or random.Random()
    answered = _answered_question_ids(session, user_id)
    rng.shuffle(matching)
    matching.sort(key=lambda question: question.id in answered)  # stable: random within each
    chosen = matching[:count]
    rng.shuffle(chosen)
    title = f"{count} {wanted}" if any((type, difficulty, company)) else f"{count} questions"
    return _create(session, user_id, title, None, chosen)


def _describe(type: str | None, difficulty: str | None, company: str | None) -> str:
    """The filters as words: "hard metrics questions asked at Google"."""
    kind = " ".join(part for part in (difficulty, readable(type).lower() if type else "") if part)
    return f"{kind} questions".strip() + (f" asked at {company}" if company else "")


def start_loop(
    session: Session,
    user_id: int,
    loop_id: str,
    loops: dict[str, Loop] | None = None,
    rng: random.Random | None = None,
) -> MockInterview:
    loops = load_loops() if loops is None else loops
    loop = loops.get(loop_id or "")
    if loop is None:
        raise FieldError("loop", "Choose one of the loops listed.")
    return _create(session, user_id, loop.title, loop.id, fill_loop(session, user_id, loop, rng))


def fill_loop(
    session: Session, user_id: int | None, loop: Loop, rng: random.Random | None = None
) -> list[Question]:
    """A question for each slot: a live one of the slot's types, the most of its preferences
    met first, then one the candidate has not answered, then at random; never one twice."""
    rng = rng or random.Random()
    answered = _answered_question_ids(session, user_id) if user_id else set()
    chosen: list[Question] = []
    for number, slot in enumerate(loop.slots, 1):
        candidates = session.exec(
            select(Question).where(
                Question.retired_at.is_(None),  # type: ignore[union-attr]
                Question.type.in_([kind.value for kind in slot.types]),  # type: ignore[union-attr]
                Question.id.not_in([question.id for question in chosen]),  # type: ignore[union-attr]
            )
        ).all()
        if not candidates:
            kinds = " or ".join(readable(kind.value).lower() for kind in slot.types)
            raise FieldError(
                "loop",
                f"“{loop.title}” cannot be filled: question {number} needs a question of type "
                f"{kinds}, and the bank has none left. Choose another loop, or questions by "
                "filter.",
            )
        ranked = sorted(
            candidates,
            key=lambda q: (-_preferences_met(slot, q), q.id in answered, rng.random()),
        )
        chosen.append(ranked[0])
    return chosen


def _preferences_met(slot: LoopSlot, question: Question) -> int:
    return (
        bool(set(slot.companies) & set(question.companies or []))
        + bool(set(slot.tags) & set(question.tags or []))
        + (slot.difficulty is not None and question.difficulty == slot.difficulty.value)
    )


def _answered_question_ids(session: Session, user_id: int) -> set[int]:
    submitted = select(Attempt.question_id).where(
        Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED
    )
    in_mocks = (
        select(MockQuestion.question_id)
        .join(MockInterview, MockInterview.id == MockQuestion.mock_id)  # type: ignore[arg-type]
        .where(MockInterview.user_id == user_id)
    )
    return set(session.exec(submitted).all()) | set(session.exec(in_mocks).all())


def _create(
    session: Session, user_id: int, title: str, loop_id: str | None, questions: list[Question]
) -> MockInterview:
    now = utcnow()
    mock = MockInterview(user_id=user_id, title=title[:200], loop=loop_id, created_at=now)
    session.add(mock)
    session.flush()
    for position, question in enumerate(questions, 1):
        session.add(
            MockQuestion(
                mock_id=mock.id,  # type: ignore[arg-type]
                position=position,
                question_id=question.id,  # type: ignore[arg-type]
                time_limit_seconds=time_limit_seconds(question),
                started_at=now if position == 1 else None,
            )
        )
    session.commit()
    return mock


# Answering --------------------------------------------------------------------------------------


def get_mock(session: Session, user_id: int, mock_id: int) -> MockInterview:
    """The user's own mock interview; anyone else's is `MockNotFound`, as a missing one is."""
    mock = session.exec(
        select(MockInterview)
        .where(MockInterview.id == mock_id, MockInterview.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()
    if mock is None:
        raise MockNotFound(mock_id)
    return mock


def _items(session: Session, mock_id: int) -> list[tuple[MockQuestion, Question]]:
    return list(
        session.exec(
            select(MockQuestion, Question)
            .join(Question, Question.id == MockQuestion.question_id)  # type: ignore[arg-type]
            .where(MockQuestion.mock_id == mock_id)
            .order_by(MockQuestion.position)
            .execution_options(populate_existing=True)
        ).all()
    )


@dataclass(frozen=True)
class MockStep:
    """Where a running interview stands: the question being asked, with its answer so far."""

    mock: MockInterview
    item: MockQuestion
    question: Question
    total: int

    @property
    def is_last(self) -> bool:
        return self.item.position == self.total

    @property
    def seconds_left(self) -> int:
        return self.item.time_limit_seconds - self.item.seconds_used


def current_step(session: Session, user_id: int, mock_id: int) -> MockStep:
    """The question being asked (the last one reached), as it was last saved."""
    mock = get_mock(session, user_id, mock_id)
    items = _items(session, mock_id)
    reached = [pair for pair in items if pair[0].started_at is not None] or items[:1]
    item, question = reached[-1]
    return MockStep(mock, item, question, len(items))


@dataclass(frozen=True)
class SavedAnswer:
    version: int  # the version the server holds now (the page's, or a newer one)
    seconds_used: int
    landed: bool  # whether this save's text was written (else the server's was as new)
    held: bool  # whether the server holds this text now: landed, or landed before (a lost reply)


def save_answer(
    session: Session,
    user_id: int,
    mock_id: int,
    position: int,
    text: str,
    version: int,
    seconds_used: int | None,
) -> SavedAnswer:
    """Keep the answer typed so far, if `version` is newer than the one stored; time used only
    grows. `seconds_used` is the page's count; None (a page without its script) counts from
    when the question was asked."""
    mock = get_mock(session, user_id, mock_id)
    if mock.status != MockStatus.IN_PROGRESS or mock.finished_at is not None:
        raise MockFinished(mock_id)
    item = session.exec(
        select(MockQuestion).where(
            MockQuestion.mock_id == mock_id,
            MockQuestion.position == position,
            MockQuestion.started_at.is_not(None),  # type: ignore[union-attr]
        )
    ).first()
    if item is None:
        raise MockNotFound(mock_id)  # a question not asked yet takes no answer
    text = normalise_line_breaks(text)
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(
            f"Your answer is {len(text):,} characters long; the limit is {MAX_ANSWER_CHARS:,}. "
            "Shorten it, then save again."
        )
    if seconds_used is None:
        seconds_used = int((utcnow() - _aware(item.started_at)).total_seconds())  # type: ignore[arg-type]
    seconds_used = max(0, min(seconds_used, MAX_TIME_SECONDS))
    row = MockQuestion.__table__.c  # type: ignore[attr-defined]
    running = (
        select(MockInterview.id)
        .where(
            MockInterview.id == mock_id,
            MockInterview.status == MockStatus.IN_PROGRESS,
            MockInterview.finished_at.is_(None),  # type: ignore[union-attr]
        )
        .scalar_subquery()
    )
    this_row = (row.id == item.id, row.mock_id == running)
    connection = session.connection()
    landed = connection.execute(
        update(MockQuestion.__table__)  # type: ignore[arg-type]
        .where(*this_row, row.version < version)
        .values(answer_text=text, version=version)
    ).rowcount
    connection.execute(
        update(MockQuestion.__table__)  # type: ignore[arg-type]
        .where(*this_row, row.seconds_used < seconds_used)
        .values(seconds_used=seconds_used)
    )
    stored = connection.execute(
        select(row.version, row.seconds_used, row.answer_text).where(row.id == item.id)
    ).one()
    still_running = connection.execute(select(running.is_not(None))).scalar_one()
    session.commit()
    if not still_running:
        raise MockFinished(mock_id)  # finished between the first read and the write
    return SavedAnswer(
        stored.version, stored.seconds_used, bool(landed), stored.answer_text == text
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def advance(
    session: Session,
    user_id: int,
    mock_id: int,
    position: int,
    text: str,
    version: int,
    seconds_used: int | None,
) -> MockStep:
    """Keep the answer to question `position`, then ask the next one. A second press of "Next"
    for the same question (a double click, a resent form) moves on only once."""
    save_answer(session, user_id, mock_id, position, text, version, seconds_used)
    row = MockQuestion.__table__.c  # type: ignore[attr-defined]
    # Only while `position` is the last question asked: the next one gets its start time once.
    session.connection().execute(
        update(MockQuestion.__table__)  # type: ignore[arg-type]
        .where(
            row.mock_id == mock_id,
            row.position == position + 1,
            row.started_at.is_(None),
        )
        .values(started_at=utcnow())
    )
    session.commit()
    return current_step(session, user_id, mock_id)


@dataclass(frozen=True)
class Finished:
    mock: MockInterview
    new_attempt_ids: list[int]  # empty when another request finished it (or is finishing it)


def finish(session: Session, user_id: int, mock_id: int) -> Finished:
    """End the interview and submit every answered question as a scored attempt.

    Setting `finished_at` claims the work, so only one request submits: a double click or a
    resent form submits nothing twice, and waits on the report page meanwhile ("finishing":
    `finished_at` set, status still in progress, no more saves). The status becomes finished
    once every answer is scored. A claim left behind by a request that died is taken over after
    `FINISH_STALE`, and only answers without an attempt are submitted. A question retired
    meanwhile (or an answer that is still only its template) is skipped; the report says why."""
    mock = get_mock(session, user_id, mock_id)
    if mock.status != MockStatus.IN_PROGRESS:
        return Finished(mock, [])
    table = MockInterview.__table__.c  # type: ignore[attr-defined]
    now = utcnow()
    unclaimed = table.finished_at.is_(None)
    if mock.finished_at is not None:
        if now - _aware(mock.finished_at) < FINISH_STALE:
            return Finished(mock, [])  # being finished by another request right now
        unclaimed = table.finished_at == mock.finished_at
    claimed = session.connection().execute(
        update(MockInterview.__table__)  # type: ignore[arg-type]
        .where(table.id == mock_id, table.status == MockStatus.IN_PROGRESS.value, unclaimed)
        .values(finished_at=now)
    )
    session.commit()
    if claimed.rowcount != 1:
        return Finished(get_mock(session, user_id, mock_id), [])
    new_ids: list[int] = []
    row = MockQuestion.__table__.c  # type: ignore[attr-defined]
    for item, question in _items(session, mock_id):
        if item.attempt_id is not None or not item.answer_text.strip():
            continue
        try:
            attempt_id = submit_attempt(
                session, user_id, question.slug, item.answer_text, item.seconds_used
            )
        except (QuestionRetired, QuestionNotFound, EmptyAnswer, AnswerTooLong):
            session.rollback()
            continue
        session.connection().execute(
            update(MockQuestion.__table__)  # type: ignore[arg-type]
            .where(row.id == item.id, row.attempt_id.is_(None))
            .values(attempt_id=attempt_id)
        )
        session.commit()
        new_ids.append(attempt_id)
    session.connection().execute(
        update(MockInterview.__table__)  # type: ignore[arg-type]
        .where(table.id == mock_id)
        .values(status=MockStatus.FINISHED.value, finished_at=utcnow())
    )
    session.commit()
    return Finished(get_mock(session, user_id, mock_id), new_ids)


def is_finishing(mock: MockInterview) -> bool:
    """Its answers are being submitted: no more changes, and the report is nearly there."""
    return mock.status == MockStatus.IN_PROGRESS and mock.finished_at is not None


# Listing and the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class MockSummary:
    mock: MockInterview
    total: int
    reached: int  # how many questions have been asked so far
    average: int | None  # of the scored answers, once finished


def list_mocks(session: Session, user_id: int) -> list[MockSummary]:
    """The candidate's mock interviews, newest first, each with how far it got."""
    mocks = session.exec(
        select(MockInterview)
        .where(MockInterview.user_id == user_id)
        .order_by(MockInterview.created_at.desc(), MockInterview.id.desc())  # type: ignore[attr-defined]
    ).all()
    if not mocks:
        return []
    rows = session.exec(
        select(MockQuestion.mock_id, MockQuestion.started_at, Score.overall)
        .outerjoin(Score, Score.attempt_id == MockQuestion.attempt_id)  # type: ignore[arg-type]
        .where(MockQuestion.mock_id.in_([mock.id for mock in mocks]))  # type: ignore[attr-defined]
    ).all()
    totals: dict[int, int] = defaultdict(int)
    reached: dict[int, int] = defaultdict(int)
    scores: dict[int, list[int]] = defaultdict(list)
    for mock_id, started_at, overall in rows:
        totals[mock_id] += 1
        reached[mock_id] += started_at is not None
        if overall is not None:
            scores[mock_id].append(overall)
    return [
        MockSummary(
            mock,
            totals[mock.id],  # type: ignore[index]
            reached[mock.id],  # type: ignore[index]
            round(sum(scores[mock.id]) / len(scores[mock.id])) if scores[mock.id] else None,  # type: ignore[index]
        )
        for mock in mocks
    ]


@dataclass(frozen=True)
class ReportRow:
    item: MockQuestion
    question: Question
    overall: int | None  # None: not scored (see `note`)
    note: str | None

    @property
    def over_time(self) -> bool:
        return self.item.seconds_used > self.item.time_limit_seconds


@dataclass(frozen=True)
class WeakSpot:
    """A criterion across the interview's answers: its average level (0-4)."""

    rubric_id: str
    id: str
    title: str
    average: float
    answers: int


@dataclass(frozen=True)
class PractiseNext:
    question: Question
    reason: str


@dataclass(frozen=True)
class MockReport:
    mock: MockInterview
    rows: list[ReportRow]
    weakest: list[WeakSpot]
    practise: list[PractiseNext]

    @property
    def average(self) -> int | None:
        scored = [row.overall for row in self.rows if row.overall is not None]
        return round(sum(scored) / len(scored)) if scored else None


def mock_report(session: Session, user_id: int, mock_id: int) -> MockReport:
    """Each answer's score and time, the weakest criteria across the interview (from the stored
    scores), and a question aimed at each of them."""
    mock = get_mock(session, user_id, mock_id)
    if is_finishing(mock):
        raise MockFinishing(mock_id)
    if mock.status != MockStatus.FINISHED:
        raise MockInProgress(mock_id)
    results = session.exec(
        select(MockQuestion, Question, Score, RubricVersion.rubric_id)
        .join(Question, Question.id == MockQuestion.question_id)  # type: ignore[arg-type]
        .outerjoin(Score, Score.attempt_id == MockQuestion.attempt_id)  # type: ignore[arg-type]
        .outerjoin(RubricVersion, RubricVersion.id == Score.rubric_version_id)  # type: ignore[arg-type]
        .where(MockQuestion.mock_id == mock_id)
        .order_by(MockQuestion.position)
    ).all()
    rows: list[ReportRow] = []
    levels: dict[tuple[str, str], list[float]] = defaultdict(list)
    about: dict[tuple[str, str], tuple[str, float]] = {}
    for item, question, stored, rubric_id in results:
        rows.append(
            ReportRow(
                item, question, stored.overall if stored else None, _note(item, question, stored)
            )
        )
        for criterion in stored.criteria if stored else []:
            key = (rubric_id, criterion["id"])
            levels[key].append(4 * criterion["score"] / (criterion.get("max") or 4))
            about.setdefault(key, (criterion["title"], float(criterion.get("weight", 1))))
    ranked = sorted(
        levels.items(),
        key=lambda pair: (sum(pair[1]) / len(pair[1]), -about[pair[0]][1], pair[0]),
    )
    below_full_marks = [
        WeakSpot(rubric_id, cid, about[(rubric_id, cid)][0], sum(values) / len(values), len(values))
        for (rubric_id, cid), values in ranked
        if sum(values) / len(values) < 4
    ]
    return MockReport(
        mock,
        rows,
        below_full_marks[:WEAKEST_SHOWN],
        _practise_next(session, user_id, below_full_marks, rows),
    )


def _note(item: MockQuestion, question: Question, stored: Score | None) -> str | None:
    if stored is not None:
        return None
    if item.started_at is None:
        return "Not reached: the interview ended before this question."
    if not item.answer_text.strip():
        return "Not answered."
    if question.retired_at is not None:
        return (
            "Not scored: this question was retired during the interview, so it takes no new "
            "answers. Your text is kept here."
        )
    return "Not scored: the answer was only the question's template."


def _level(spot: WeakSpot) -> str:
    level = f"{spot.average:.0f}" if spot.average == int(spot.average) else f"{spot.average:.1f}"
    return f"{level} of 4" + (
        f", on average over {spot.answers} answers" if spot.answers > 1 else ""
    )


def _practise_next(
    session: Session, user_id: int, weak_spots: list[WeakSpot], rows: list[ReportRow]
) -> list[PractiseNext]:
    """A question for each of the weakest criteria, weakest first, from outside this interview
    and each a different one; a criterion no other question works on gives way to the next."""
    taken = {row.question.id for row in rows}
    picked: list[PractiseNext] = []
    for spot in weak_spots:
        if len(picked) == WEAKEST_SHOWN:
            break
        weak = WeakCriterion(spot.rubric_id, spot.id, spot.title, spot.average)
        suggestion = next_question(session, user_id, weak, taken)
        if suggestion is None:
            continue
        taken.add(suggestion.question.id)  # type: ignore[arg-type]
        reason = f"Works on “{spot.title}”: {_level(spot)} in this interview."
        picked.append(PractiseNext(suggestion.question, reason))
    return picked
