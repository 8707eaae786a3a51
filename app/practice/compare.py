"""Two of a candidate's answers side by side: earlier against later, criterion by criterion, and
the text aligned sentence by sentence with the words that changed inside each sentence."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlmodel import Session, func, select

from app.models import Attempt, AttemptStatus, Question
from pm_scoring.text import split_sentences

from .services import AttemptResult, HistoryRow, attempt_result, get_question, submitted_history

# Two sentences this alike (share of words in common) are one sentence that changed; below it,
# one was removed and another added.
SAME_SENTENCE_AT = 0.5
# A block of changed sentences larger than this (old x new) is shown as removed then added, so
# a rewrite of a long answer never costs a cubic search for the best pairs.
MAX_PAIRING = 60 * 60


class CompareRefused(ValueError):
    """Two attempts that cannot be compared; the message says why, for the candidate."""


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
class SentenceChange:
    """One row of the aligned text: a sentence kept, removed, added, or changed (with its words
    marked: ("equal" | "delete" | "insert", text) pieces)."""

    kind: str  # "same" | "removed" | "added" | "changed"
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    first: AttemptResult  # the earlier, by submitted time
    second: AttemptResult  # the later
    criteria: list[CriterionChange]
    sentences: list[SentenceChange]


def compare_attempts(session: Session, user_id: int, one_id: int, other_id: int) -> Comparison:
    """Two of the candidate's scored answers to one question, the earlier first whatever order
    they were asked in. Someone else's attempt is AttemptNotFound (a 404); the same attempt
    twice, or answers to two different questions, are CompareRefused."""
    one = attempt_result(session, user_id, one_id)
    other = attempt_result(session, user_id, other_id)
    if one.attempt.id == other.attempt.id:
        raise CompareRefused("Choose two different attempts: an attempt compared with itself.")
    if one.question.id != other.question.id:
        raise CompareRefused(
            "These attempts answer different questions: choose two answers to the same question."
        )
    first, second = sorted((one, other), key=lambda r: (r.attempt.submitted_at, r.attempt.id))
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
        first,
        second,
        criteria,
        sentence_diff(first.attempt.answer_text, second.attempt.answer_text),
    )


@dataclass(frozen=True)
class CompareChoices:
    """What the chooser offers: the questions with two or more submitted answers, and, once
    one is picked, its answers (oldest first) with the two preselected."""

    questions: list[tuple[Question, int]]  # (question, submitted answers), by title
    question: Question | None = None
    attempts: list[HistoryRow] = field(default_factory=list)
    earlier: int | None = None
    later: int | None = None


def compare_choices(
    session: Session, user_id: int, slug: str | None = None, attempt_id: int | None = None
) -> CompareChoices:
    """The chooser, for a question named by slug or by one of the candidate's attempts; with one
    attempt named, it is preselected beside the attempt after it (or before, if it is the last)."""
    counted = func.count(Attempt.id)
    rows = session.exec(
        select(Question, counted)
        .join(Attempt, Attempt.question_id == Question.id)  # type: ignore[arg-type]
        .where(Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED)
        .group_by(Question.id)
        .having(counted >= 2)
        .order_by(Question.title)
    ).all()
    questions = [(question, count) for question, count in rows]
    question = None
    if attempt_id is not None:
        question = attempt_result(session, user_id, attempt_id).question
    elif slug:
        question = get_question(session, slug)
    if question is None:
        return CompareChoices(questions)
    attempts = submitted_history(session, user_id, question.id)
    ids = [row.attempt.id for row in attempts]
    earlier, later = (ids[-2], ids[-1]) if len(ids) >= 2 else (None, None)
    if attempt_id in ids and len(ids) >= 2:
        at = ids.index(attempt_id)
        earlier, later = (ids[at], ids[at + 1]) if at + 1 < len(ids) else (ids[at - 1], ids[at])
    return CompareChoices(questions, question, attempts, earlier, later)


def _sentences(text: str) -> list[str]:
    """The answer's sentences as the scoring engine splits them (prose, bullets, labelled
    lines), each with its inner whitespace collapsed."""
    text = text.replace("\r\n", "\n")
    return [" ".join(s.text.split()) for s in split_sentences(text)]


def sentence_diff(old: str, new: str) -> list[SentenceChange]:
    """Align two answers sentence by sentence (difflib on whole sentences), then mark the words
    that changed within each sentence that changed."""
    before, after = _sentences(old), _sentences(new)
    rows: list[SentenceChange] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [SentenceChange("same", s, s) for s in before[i1:i2]]
        else:
            rows += _pair_up(before[i1:i2], after[j1:j2])
    return rows


def _likeness(old: str, new: str) -> float:
    matcher = difflib.SequenceMatcher(a=old.split(), b=new.split(), autojunk=False)
    if matcher.real_quick_ratio() < SAME_SENTENCE_AT or matcher.quick_ratio() < SAME_SENTENCE_AT:
        return 0.0
    return matcher.ratio()


def _pair_up(old: list[str], new: list[str]) -> list[SentenceChange]:
    """Within a block of differing sentences, the most alike pair is one sentence changed; the
    sentences on either side are paired the same way, the rest removed or added (as difflib's
    Differ does for lines)."""
    best, pair = SAME_SENTENCE_AT, None
    if len(old) * len(new) <= MAX_PAIRING:
        for i, sentence in enumerate(old):
            for j, other in enumerate(new):
                likeness = _likeness(sentence, other)
                if likeness > best:
                    best, pair = likeness, (i, j)
    if pair is None:
        return [SentenceChange("removed", old=s) for s in old] + [
            SentenceChange("added", new=s) for s in new
        ]
    i, j = pair
    changed = SentenceChange("changed", old[i], new[j], word_diff(old[i], new[j]))
    return [*_pair_up(old[:i], new[:j]), changed, *_pair_up(old[i + 1 :], new[j + 1 :])]


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
