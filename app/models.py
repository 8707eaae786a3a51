"""Database tables. Plain descriptions of what is stored; the rules live in the services."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The one time source: timezone-aware UTC."""
    return datetime.now(UTC)


MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL


class Role(StrEnum):
    CANDIDATE = "candidate"
    COACH = "coach"
    ADMIN = "admin"


class AttemptStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class User(UserMixin, SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.CANDIDATE, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    # A deactivated account cannot log in; everything it made stays.
    deactivated_at: datetime | None = None
    # Made by sign-up without mail on a site that has accounts already: it cannot log in until
    # an admin approves it (SIGNUP_APPROVAL), so signing up tells nobody which addresses exist.
    awaiting_approval: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Carried in every session and remember-me cookie: raising it (logout, "log out everywhere",
    # a new password) ends every session made before.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    weekly_goal: int | None = None  # answers a week the candidate aims for; None: not set

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class PasswordReset(SQLModel, table=True):
    """A one-time link an admin issued so a user can set a new password. Only the token's hash
    is stored; the link works once, until it expires."""

    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class UsedSignupLink(SQLModel, table=True):
    """A sign-up link that made an account, kept (as its token's hash) until the link would
    have expired anyway: deleting that account does not make the link work again."""

    __tablename__ = "used_signup_links"

    token_hash: str = Field(max_length=64, primary_key=True)
    expires_at: datetime = Field(index=True)


class RateLimitCounter(SQLModel, table=True):
    """A login or sign-up limit's count for one key (an address, an account and address) in its
    current window; written by app.rate_counters, so every worker and server shares it."""

    __tablename__ = "rate_limit_counters"

    name: str = Field(max_length=255, primary_key=True)
    count: int
    expires_at: float  # seconds since the epoch: when the window ends


class RubricStatus(StrEnum):
    DRAFT = "draft"  # a coach's work in progress: edited in place, never scored against
    PUBLISHED = "published"  # immutable; the highest published version is the live one
    RETIRED = "retired"  # immutable, kept for the scores that used it, never live again


class RubricVersion(SQLModel, table=True):
    """One version of a rubric. Published and retired versions are immutable, so a score always
    points at exactly the rubric it used; only a draft is edited, and a draft is never live."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("rubric_id", "version", name="uq_rubric_version"),)

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: str = Field(max_length=80, index=True)
    version: int
    title: str = Field(max_length=200)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    source: str = Field(default="shipped", max_length=20)
    status: str = Field(default=RubricStatus.PUBLISHED, max_length=20, index=True)
    # The YAML as its author wrote it (a draft's as last typed, which may not parse yet);
    # None for versions loaded from files, which export from `content`.
    source_text: str | None = Field(default=None, sa_type=Text)
    revision: int = 0  # a draft's save counter: a save based on an older one is refused
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class RubricSample(SQLModel, table=True):
    """A sample answer a coach has levelled (1-5), stored with the rubric: calibration shows how
    each version ranks the samples against the coach's levels, so they are its regression tests."""

    __tablename__ = "rubric_samples"

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: str = Field(max_length=80, index=True)
    question_id: int | None = Field(default=None, foreign_key="questions.id")  # as asked, if any
    text: str = Field(sa_type=Text)
    level: int  # 1 (poor) to 5 (exceptional), as the coach judges it
    note: str = Field(default="", max_length=200)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    # Browsing pages through live questions by title (migration 0011 also adds full-text search);
    # "what to practise next" walks them by difficulty, then title.
    __table_args__ = (
        Index("ix_questions_retired_at_title", "retired_at", "title"),
        Index("ix_questions_retired_at_difficulty_title", "retired_at", "difficulty", "title"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    title: str = Field(max_length=200)
    prompt: str = Field(sa_type=Text)
    rubric_id: str = Field(max_length=80, index=True)
    # The coach who chose the rubric in the editor: loading bank files leaves that choice alone.
    rubric_assigned_by: int | None = Field(default=None, foreign_key="users.id")
    type: str | None = Field(default=None, max_length=30, index=True)  # the one taxonomy
    difficulty: str | None = Field(default=None, max_length=10)
    companies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    time_limit_minutes: int | None = None
    hints: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    model_answer: str | None = Field(default=None, sa_type=Text)
    # Counts the changes to what the scorer reads (title, prompt, hints, model answer): a score
    # records the version it was scored against, since an edit can change it (migration 0018).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Text the answer box starts with (headings to fill in, say), as Moodle's response template.
    answer_template: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # A retired question leaves browsing and takes no new answers; its attempts stay.
    retired_at: datetime | None = Field(default=None, index=True)


class QuestionLabel(SQLModel, table=True):
    """A question's companies and tags, one row each, so filters run in SQL. The JSON lists on
    `questions` stay the record; `sync_labels` rewrites these rows whenever they change."""

    __tablename__ = "question_labels"
    __table_args__ = (
        UniqueConstraint("question_id", "kind", "value", name="uq_question_label"),
        Index("ix_question_labels_kind_value", "kind", "value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", index=True)
    kind: str = Field(max_length=10)  # "company" or "tag"
    value: str = Field(max_length=40)


class AuditEntry(SQLModel, table=True):
    """What an admin or coach did that others should be able to look back on: role changes,
    deactivations, imports, rubric publishes, level overrides."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True)  # None: CLI
    action: str = Field(max_length=50, index=True)  # e.g. "user.role", "bank.import"
    target: str = Field(default="", max_length=200)  # what it was done to, as people read it
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ImportStatus(StrEnum):
    PREVIEWED = "previewed"  # planned and shown, not applied
    RUNNING = "running"  # being applied in the background
    APPLIED = "applied"
    FAILED = "failed"


class BankImport(SQLModel, table=True):
    """The import log: who imported which files when, what the preview counted, and the outcome.
    A browser upload keeps its bytes here between the preview and the apply."""

    __tablename__ = "bank_imports"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")  # None: the command line
    files: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    format: str = Field(max_length=20)
    rubric_id: str | None = Field(default=None, max_length=80)  # for questions that name none
    status: str = Field(default=ImportStatus.PREVIEWED, max_length=20)
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    message: str | None = Field(default=None, sa_type=Text)
    payload: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Attempt(SQLModel, table=True):
    __tablename__ = "attempts"
    # A candidate's attempts at one question: drafts, history and best scores all start here.
    __table_args__ = (
        Index("ix_attempts_user_question", "user_id", "question_id"),
        UniqueConstraint("user_id", "question_id", "draft_key", name="uq_attempts_draft_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    question_id: int = Field(foreign_key="questions.id", index=True)
    answer_text: str = Field(default="", sa_type=Text)
    status: str = Field(default=AttemptStatus.DRAFT, max_length=20)
    time_spent_seconds: int = 0
    # The id the answer page made for this draft, and the page's count of its saves: a save
    # lands only if its version is newer, so a save whose reply was lost is simply sent again.
    draft_key: str | None = Field(default=None, max_length=40)
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None


class Score(SQLModel, table=True):
    """The score of record for a submitted attempt, naming the rubric and engine versions used."""

    __tablename__ = "scores"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", unique=True, index=True)
    rubric_version_id: int = Field(foreign_key="rubric_versions.id", index=True)
    overall: int
    criteria: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    flags: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    engine_version: str = Field(max_length=80)  # the engine and the model it used
    question_version: int | None = None  # the question's version it read; unknown before 0018
    created_at: datetime = Field(default_factory=utcnow)


class FeedbackStatus(StrEnum):
    PENDING = "pending"
    OK = "ok"
    ERROR = "error"
    DISABLED = "disabled"


class Feedback(SQLModel, table=True):
    """AI feedback on one attempt: advice only, never part of the score of record."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    # sha256 of (answer, rubric version, model, prompt version): equal keys, equal feedback.
    cache_key: str = Field(max_length=64, index=True)
    status: str = Field(default=FeedbackStatus.PENDING, max_length=20)
    reason: str | None = Field(default=None, max_length=500)
    model: str | None = Field(default=None, max_length=100)
    content: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Share(SQLModel, table=True):
    """A candidate lets one coach see one submitted attempt, until they revoke it. A share link
    is a row with a token and no coach: each coach who opens it gets a share of their own,
    made `via_link`, and revoking the link revokes those too."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("attempt_id", "coach_id", name="uq_share_attempt_coach"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    coach_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    token: str | None = Field(default=None, max_length=64, unique=True)
    via_link: int | None = Field(default=None, foreign_key="shares.id")
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    read_at: datetime | None = None  # when the coach first opened it: unread ones come first


class CoachComment(SQLModel, table=True):
    """A coach's comment on an attempt: on a span of the answer, or (no span) an overall note."""

    __tablename__ = "coach_comments"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    coach_id: int = Field(foreign_key="users.id")
    start: int | None = None  # character offsets in the answer, end exclusive
    end: int | None = None
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


class LevelOverride(SQLModel, table=True):
    """A coach's level for one criterion, with the reason. The engine's level is kept beside it;
    reverting marks the override, never deletes it, so the log stays whole."""

    __tablename__ = "level_overrides"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    coach_id: int = Field(foreign_key="users.id")
    criterion_id: str = Field(max_length=80)
    level: int
    engine_level: int
    reason: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    reverted_at: datetime | None = None


class Notification(SQLModel, table=True):
    """Something new for a user (a coach's comment or level on their attempt), until read."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    attempt_id: int = Field(foreign_key="attempts.id")
    message: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class RescoringStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Rescoring(SQLModel, table=True):
    """Past answers scored again against a newly published version, in the background."""

    __tablename__ = "rescorings"

    id: int | None = Field(default=None, primary_key=True)
    rubric_version_id: int = Field(foreign_key="rubric_versions.id", index=True)
    status: str = Field(default=RescoringStatus.PENDING, max_length=20)
    total: int = 0  # answers to score again
    done: int = 0
    changed: int = 0  # of those, how many the new version scores differently
    error: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Rescore(SQLModel, table=True):
    """An answer's score under a later rubric version. The score of record (`scores`) never
    changes; the result page shows this one beside it, labelled with its version."""

    __tablename__ = "rescores"
    __table_args__ = (
        UniqueConstraint("attempt_id", "rubric_version_id", "engine_version", name="uq_rescore"),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    rubric_version_id: int = Field(foreign_key="rubric_versions.id")
    engine_version: str = Field(max_length=80)
    question_version: int | None = None  # the question's version it read
    overall: int
    criteria: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    flags: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class FollowUp(SQLModel, table=True):
    """The question an interviewer asks next about a submitted attempt's weakest criterion, and
    the candidate's reply, scored against that criterion alone. The attempt's score of record
    never changes; the follow-up shows the criterion before and after."""

    __tablename__ = "follow_ups"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", unique=True, index=True)  # one each
    criterion_id: str = Field(max_length=80)
    question: str = Field(sa_type=Text)  # the follow-up as asked
    source: str = Field(default="rubric", max_length=10)  # "rubric", or "ai" when tailored
    quote: str | None = Field(default=None, sa_type=Text)  # what an AI follow-up is grounded in
    level_before: int
    answer_text: str | None = Field(default=None, sa_type=Text)
    level_after: int | None = None
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    engine_version: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


class MockStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class MockInterview(SQLModel, table=True):
    """A timed run of several questions, one after another, with no scores until the end."""

    __tablename__ = "mock_interviews"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    title: str = Field(max_length=200)
    loop: str | None = Field(default=None, max_length=80)  # a ready-made loop's id, if chosen
    status: str = Field(default=MockStatus.IN_PROGRESS, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class MockQuestion(SQLModel, table=True):
    """One question of a mock interview, in its place, with the answer as it stands."""

    __tablename__ = "mock_questions"
    __table_args__ = (UniqueConstraint("mock_id", "position", name="uq_mock_questions_position"),)

    id: int | None = Field(default=None, primary_key=True)
    mock_id: int = Field(foreign_key="mock_interviews.id", index=True)
    position: int
    question_id: int = Field(foreign_key="questions.id")
    time_limit_seconds: int
    answer_text: str = Field(default="", sa_type=Text)
    version: int = 0  # the page's count of its saves, as for drafts
    seconds_used: int = 0
    started_at: datetime | None = None
    attempt_id: int | None = Field(default=None, foreign_key="attempts.id")  # once submitted


class TranscriptionStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Transcription(SQLModel, table=True):
    """A spoken answer, transcribed on this server in the background. The audio is deleted once
    transcribed unless the candidate chose to keep it; delivery figures never touch the score."""

    __tablename__ = "transcriptions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    question_id: int = Field(foreign_key="questions.id")
    attempt_id: int | None = Field(default=None, foreign_key="attempts.id", index=True)
    status: str = Field(default=TranscriptionStatus.PENDING, max_length=20)
    audio: bytes | None = Field(default=None, sa_type=LargeBinary)
    audio_type: str = Field(default="", max_length=100)
    keep_audio: bool = False
    transcript: str | None = Field(default=None, sa_type=Text)
    delivery: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    model: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
