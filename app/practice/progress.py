"""A candidate's progress: scores per rubric and per question, each criterion's trend, a streak,
the week against their goal, and what to practise next."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.models import Attempt, AttemptStatus, Question, RubricVersion, Score, User, utcnow

from .services import best_scores
from .suggest import Suggestion, next_question

MIN_WEEKLY_GOAL, MAX_WEEKLY_GOAL = 1, 50
UTC_ZONE = ZoneInfo("UTC")
# Lines are told apart by their dash as well as their colour.
_COLOURS = ["#2f5d8a", "#b3261e", "#2e7d4f", "#a86b00", "#6b3fa0", "#00838f", "#5b6477"]
_DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]]


class ScopeUnknown(ValueError):
    """A `show` value naming no rubric or question the candidate has answered."""


@dataclass(frozen=True)
class Point:
    """One submitted answer, as the progress view shows it."""

    attempt_id: int
    submitted_at: datetime
    overall: int
    question: str
    slug: str
    rubric_id: str
    rubric: str  # "incident-response v3": the version that gave the score
    new_version: bool  # the first score under a newer version of its rubric
    levels: dict[str, int]  # criterion id -> level (0-4)


@dataclass(frozen=True)
class CriterionAverage:
    rubric_id: str
    id: str
    title: str
    average: float  # 0..4
    attempts: int


@dataclass(frozen=True)
class CriterionTrend:
    """One criterion's level over the answers in view (None where an answer was scored by a
    version of the rubric without it)."""

    id: str
    title: str
    levels: list[int | None]

    @property
    def scored(self) -> list[int]:
        return [level for level in self.levels if level is not None]

    @property
    def first(self) -> int:
        return self.scored[0]

    @property
    def latest(self) -> int:
        return self.scored[-1]

    @property
    def change(self) -> int:
        return self.latest - self.first


@dataclass(frozen=True)
class Scope:
    """What the view shows: every rubric (one line each), one rubric, or one question."""

    show: str = ""  # "", "rubric:<id>" or "question:<slug>"
    label: str = "every rubric"

    @property
    def kind(self) -> str:
        return self.show.partition(":")[0] or "all"


@dataclass(frozen=True)
class Habit:
    """Practice as a habit, counted in the candidate's own calendar (`zone`)."""

    streak: int  # consecutive days with a submitted answer, up to today (or yesterday)
    practised_today: bool
    this_week: int  # answers submitted since Monday
    goal: int | None
    zone: str


@dataclass(frozen=True)
class Progress:
    scope: Scope
    rubrics: list[tuple[str, int]]  # the candidate's rubrics, with answers each
    questions: list[tuple[str, str, int]]  # (slug, title, answers)
    points: list[Point]  # in view, oldest first
    criteria: list[CriterionAverage]  # in view, weakest first
    trends: list[CriterionTrend]  # in view, for one rubric or question
    suggestions: list[Suggestion]
    habit: Habit
    charts: dict[str, dict]  # Chart.js configurations, by canvas id
    chart_points: list[dict]  # what the tooltips say of each point: when, question, rubric


# The calendar ------------------------------------------------------------------------------


def zone_named(name: str | None) -> ZoneInfo:
    """The time zone the browser reported (an IANA name), or UTC when there is none or it is
    not one."""
    if name and len(name) <= 64:
        try:
            return ZoneInfo(name)
        except (LookupError, ValueError, OSError):
            pass
    return UTC_ZONE


def practice_days(moments: Iterable[datetime], zone: ZoneInfo) -> set[date]:
    """The calendar days, in `zone`, on which something was submitted."""
    return {moment.astimezone(zone).date() for moment in moments}


def streak(days: set[date], today: date) -> int:
    """The streak: how many consecutive days, ending today, had at least one submitted answer.
    A day not over yet does not break it: with nothing yet today, it counts up to yesterday."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def week_start(today: date) -> date:
    """Weeks start on Monday (ISO 8601)."""
    return today - timedelta(days=today.weekday())


def answers_this_week(moments: Iterable[datetime], zone: ZoneInfo, now: datetime) -> int:
    """Answers submitted from Monday of this week, in `zone`, up to `now`."""
    today = now.astimezone(zone).date()
    monday = week_start(today)
    return sum(1 for moment in moments if monday <= moment.astimezone(zone).date() <= today)


def habit_of(session: Session, user_id: int, zone: ZoneInfo, now: datetime | None = None) -> Habit:
    now = now or utcnow()
    moments = session.exec(
        select(Attempt.submitted_at).where(
            Attempt.user_id == user_id,
            Attempt.status == AttemptStatus.SUBMITTED,
            Attempt.submitted_at.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    moments = [m for m in moments if m is not None]
    days = practice_days(moments, zone)
    today = now.astimezone(zone).date()
    user = session.get(User, user_id)
    return Habit(
        streak=streak(days, today),
        practised_today=today in days,
        this_week=answers_this_week(moments, zone, now),
        goal=user.weekly_goal if user else None,
        zone=zone.key,
    )


def set_weekly_goal(session: Session, user_id: int, goal: int) -> None:
    """The number of answers a week the candidate aims for (1-50)."""
    if not MIN_WEEKLY_GOAL <= goal <= MAX_WEEKLY_GOAL:
        raise ValueError(f"a weekly goal is {MIN_WEEKLY_GOAL} to {MAX_WEEKLY_GOAL} answers")
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    user.weekly_goal = goal
    session.add(user)
    session.commit()


# Scores ------------------------------------------------------------------------------------


def scored_points(session: Session, user_id: int) -> tuple[list[Point], dict[tuple[str, str], str]]:
    """Every submitted answer of the candidate with its score, oldest first, in one query; and
    each (rubric, criterion)'s title."""
    rows = session.exec(
        select(
            Attempt.id,
            Attempt.submitted_at,
            Question.slug,
            Question.title,
            Score.overall,
            Score.criteria,
            RubricVersion.rubric_id,
            RubricVersion.version,
        )
        .join(Question, Question.id == Attempt.question_id)  # type: ignore[arg-type]
        .join(Score, Score.attempt_id == Attempt.id)  # type: ignore[arg-type]
        .join(RubricVersion, RubricVersion.id == Score.rubric_version_id)  # type: ignore[arg-type]
        .where(Attempt.user_id == user_id, Attempt.status == AttemptStatus.SUBMITTED)
        .order_by(Attempt.submitted_at, Attempt.id)  # type: ignore[arg-type]
    ).all()
    points, titles = [], {}
    last_version: dict[str, int] = {}  # rubric id -> the version of its latest point so far
    for attempt_id, submitted_at, slug, title, overall, criteria, rubric_id, version in rows:
        for criterion in criteria:
            titles[(rubric_id, criterion["id"])] = criterion["title"]
        points.append(
            Point(
                attempt_id,
                submitted_at,
                overall,
                title,
                slug,
                rubric_id,
                f"{rubric_id} v{version}",
                # Scores from two versions of a rubric are not alike: the chart marks the
                # first score under a new version, never mixing them silently.
                rubric_id in last_version and last_version[rubric_id] != version,
                {c["id"]: c["score"] for c in criteria},
            )
        )
        last_version[rubric_id] = version
    return points, titles


def scope_for(show: str, points: list[Point]) -> Scope:
    """The scope a `show` value names, among the candidate's own rubrics and questions."""
    kind, _, key = show.partition(":")
    if not show:
        return Scope()
    if kind == "rubric" and any(p.rubric_id == key for p in points):
        return Scope(show, f"the {key} rubric")
    if kind == "question":
        for point in points:
            if point.slug == key:
                return Scope(show, f"“{point.question}”")
    raise ScopeUnknown(
        "Choose a rubric or a question from the list: you have no scored answers for that one."
    )


def _in_scope(scope: Scope, point: Point) -> bool:
    kind, _, key = scope.show.partition(":")
    return (
        kind == ""
        or (kind == "rubric" and point.rubric_id == key)
        or (kind == "question" and point.slug == key)
    )


def progress_for(
    session: Session, user_id: int, show: str = "", zone: ZoneInfo = UTC_ZONE, suggestions: int = 3
) -> Progress:
    """The progress view for one scope (see Scope); ScopeUnknown for a scope the candidate has
    no answers in."""
    everything, titles = scored_points(session, user_id)
    scope = scope_for(show, everything)
    points = [p for p in everything if _in_scope(scope, p)]
    rubric_counts: dict[str, int] = defaultdict(int)
    question_counts: dict[tuple[str, str], int] = defaultdict(int)
    for point in everything:
        rubric_counts[point.rubric_id] += 1
        question_counts[(point.slug, point.question)] += 1
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    for point in points:
        for cid, level in point.levels.items():
            levels[(point.rubric_id, cid)].append(level)
    averages = sorted(
        (
            CriterionAverage(rubric, cid, titles[(rubric, cid)], sum(v) / len(v), len(v))
            for (rubric, cid), v in levels.items()
        ),
        key=lambda c: (c.average, c.rubric_id, c.id),
    )
    trends = []
    if scope.kind != "all":
        # Each criterion, in the order the rubric lists it, titled as its rubric titles it.
        order = dict.fromkeys((p.rubric_id, cid) for p in points for cid in p.levels)
        trends = [
            CriterionTrend(
                cid,
                titles[(rubric_id, cid)],
                [p.levels.get(cid) if p.rubric_id == rubric_id else None for p in points],
            )
            for rubric_id, cid in order
        ]
    return Progress(
        scope,
        sorted(rubric_counts.items()),
        sorted(
            ((slug, title, n) for (slug, title), n in question_counts.items()),
            key=lambda q: q[1],
        ),
        points,
        averages,
        trends,
        _suggest(session, user_id, averages, suggestions),
        habit_of(session, user_id, zone),
        charts_for(points, trends),
        [
            {
                "when": _iso(p.submitted_at),
                "question": p.question,
                "rubric": p.rubric,
                "new_version": p.new_version,
            }
            for p in points
        ],
    )


# Charts ------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC_ZONE).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dataset(index: int, label: str, data: list[int | None], markers: list[bool]) -> dict:
    colour = _COLOURS[index % len(_COLOURS)]
    return {
        "label": label,
        "data": data,
        "borderColor": colour,
        "backgroundColor": colour,
        "borderDash": _DASHES[index % len(_DASHES)],
        "fill": False,
        # Straight segments: a line between two scores never bends above or below them.
        "tension": 0,
        "cubicInterpolationMode": "default",
        "stepped": False,
        "spanGaps": True,
        # A triangle marks the first score under a new version of its rubric.
        "pointStyle": ["triangle" if marked else "circle" for marked in markers],
        "pointRadius": [7 if marked else 3 for marked in markers],
    }


def _chart(datasets: list[dict], points: list[Point], y_max: int, y_title: str) -> dict:
    return {
        "type": "line",
        "data": {
            "labels": [_iso(p.submitted_at) for p in points],
            "datasets": datasets,
        },
        "options": {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": True,
            "elements": {"line": {"tension": 0, "cubicInterpolationMode": "default"}},
            "scales": {
                "y": {
                    "min": 0,
                    "max": y_max,
                    "ticks": {"stepSize": 1 if y_max <= 4 else 20},
                    "title": {"display": True, "text": y_title},
                }
            },
            "plugins": {"legend": {"display": len(datasets) > 1, "position": "bottom"}},
        },
    }


def charts_for(points: list[Point], trends: list[CriterionTrend]) -> dict[str, dict]:
    """The Chart.js configurations (data and options; the page's script adds only the tooltips
    and the local dates): the overall score, one line per rubric (or the one in view), and for
    one rubric or question, each criterion's level over its answers."""
    if not points:
        return {}
    rubrics = list(dict.fromkeys(p.rubric_id for p in points))
    overall = [
        _dataset(
            i,
            f"{rubric} (overall)" if len(rubrics) > 1 else "Overall score",
            [p.overall if p.rubric_id == rubric else None for p in points],
            [p.new_version and p.rubric_id == rubric for p in points],
        )
        for i, rubric in enumerate(rubrics)
    ]
    charts = {"progress-chart": _chart(overall, points, 100, "score")}
    if trends:
        trend = [
            _dataset(i, t.title, t.levels, [False] * len(points)) for i, t in enumerate(trends)
        ]
        charts["criteria-chart"] = _chart(trend, points, 4, "level (0-4)")
    return charts


def _suggest(
    session: Session, user_id: int, averages: list[CriterionAverage], limit: int
) -> list[Suggestion]:
    """Questions scored by the rubric of each weak criterion, unattempted or lowest-scored first;
    before the first answer, a good first question."""
    if not averages:
        first = next_question(session, user_id)
        return [first] if first else []
    best = best_scores(session, user_id)
    picked: list[Suggestion] = []
    seen: set[int] = set()
    for weak in (c for c in averages if c.average < 3):
        candidates = session.exec(
            select(Question).where(Question.rubric_id == weak.rubric_id).order_by(Question.title)
        ).all()
        ranked = sorted(
            (q for q in candidates if q.id not in seen), key=lambda q: best.get(q.id, -1)
        )
        if ranked:
            question = ranked[0]
            seen.add(question.id)
            picked.append(
                Suggestion(question, f"Work on “{weak.title}” (average {weak.average:.1f} of 4).")
            )
        if len(picked) >= limit:
            break
    return picked
