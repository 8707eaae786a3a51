"""The streak and the week, counted in the candidate's own calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.practice.progress import (
    answers_this_week,
    practice_days,
    streak,
    week_start,
    zone_named,
)

TOKYO = zone_named("Asia/Tokyo")  # UTC+9, no daylight saving
NEW_YORK = zone_named("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_streak_counts_consecutive_days_up_to_today():
    days = {date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)}
    assert streak(days, today=date(2026, 12, 3)) == 3


def test_a_gap_ends_the_streak():
    days = {date(2026, 11, 28), date(2026, 11, 29), date(2026, 12, 1), date(2026, 12, 2)}
    assert streak(days, today=date(2026, 12, 2)) == 2  # the 30th is missing


def test_a_day_not_over_yet_does_not_break_the_streak():
    days = {date(2026, 12, 1), date(2026, 12, 2)}
    assert streak(days, today=date(2026, 12, 3)) == 2  # nothing yet today: still alive
    assert streak(days, today=date(2026, 12, 4)) == 0  # a whole day missed: gone


def test_no_answers_is_no_streak():
    assert streak(set(), today=date(2026, 12, 3)) == 0


def test_the_day_boundary_is_the_candidates_midnight_not_utcs():
    # 23:30 and 00:30 UTC are two days in London's calendar but one in Tokyo's (08:30 and 09:30)
    moments = [at("2026-12-02T23:30:00"), at("2026-12-03T00:30:00")]
    assert practice_days(moments, zone_named("UTC")) == {date(2026, 12, 2), date(2026, 12, 3)}
    assert practice_days(moments, TOKYO) == {date(2026, 12, 3)}
    # 14:00 and 16:00 UTC on one UTC day straddle Tokyo's midnight: two days in a row there.
    evening = [at("2026-12-02T14:00:00"), at("2026-12-02T16:00:00")]
    tokyo_days = practice_days(evening, TOKYO)
    assert tokyo_days == {date(2026, 12, 2), date(2026, 12, 3)}
    assert streak(tokyo_days, today=date(2026, 12, 3)) == 2
    assert streak(practice_days(evening, zone_named("UTC")), today=date(2026, 12, 3)) == 1


def test_weeks_start_on_monday():
    assert week_start(date(2026, 12, 3)) == date(2026, 11, 30)  # a Thursday
    assert week_start(date(2026, 11, 30)) == date(2026, 11, 30)  # the Monday itself
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)  # the Sunday


def test_answers_this_week_count_from_the_candidates_monday():
    now = at("2026-12-03T12:00:00")  # Thursday
    moments = [
        at("2026-11-29T23:30:00"),  # Sunday night in UTC, Monday morning in Tokyo
        at("2026-11-30T09:00:00"),  # Monday
        at("2026-12-03T11:00:00"),  # today
    ]
    assert answers_this_week(moments, zone_named("UTC"), now) == 2
    assert answers_this_week(moments, TOKYO, now) == 3
    # In New York, Monday 30 Nov 09:00 UTC is still Monday (04:00), and the Sunday stays Sunday.
    assert answers_this_week(moments, NEW_YORK, now) == 2


@pytest.mark.parametrize("name", [None, "", "Not/AZone", "../../etc/passwd", "x" * 65, "America"])
def test_a_missing_or_bad_time_zone_is_utc(name):
    assert zone_named(name).key == "UTC"


def test_a_real_time_zone_is_kept():
    assert zone_named("Europe/Paris").key == "Europe/Paris"
