"""Cron maths of schedules: parsing, next fire times on a wall clock, DST, missed fires."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.core.schedules import cron

UTC = dt.UTC
BERLIN = cron.zone("Europe/Berlin")
NEW_YORK = cron.zone("America/New_York")


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, tz: dt.tzinfo = UTC
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


def fires(expression: str, after: dt.datetime, tz: dt.tzinfo, n: int) -> list[dt.datetime]:
    """The next ``n`` fire times after ``after``, on the ``tz`` wall clock."""
    parsed, zone = cron.parse(expression), cron.zone(str(tz))
    found: list[dt.datetime] = []
    for _ in range(n):
        after = cron.next_after(parsed, after, zone)
        found.append(after.astimezone(tz))
    return found


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * *",
        "*/15 9-17 * * MON-FRI",
        "0 0 1,15 * *",
        "5 4 * JAN-MAR sun",
        "0 12 * * 1-5/2",
        "@daily",
        "@HOURLY",
        "  30 2 * * *  ",
    ],
)
def test_standard_expressions_parse(expression: str) -> None:
    assert cron.parse(expression).source == expression.strip()


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("", "characters"),
        ("* * * *", "5 fields"),
        ("0 * * * * *", "5 fields"),  # a seconds field is not standard cron
        ("60 * * * *", "minute"),
        ("0 24 * * *", "hour"),
        ("0 0 0 * *", "day-of-month"),
        ("0 0 31 2 *", "day-of-month"),  # never exists
        ("0 0 * 13 *", "month"),
        ("0 0 * * 8", "day-of-week"),
        ("*/0 * * * *", "minute"),
        ("0 0 L * *", "day-of-month"),  # cronsim extension
        ("0 0 * * 5#2", "day-of-week"),  # cronsim extension
        ("0 0 * * FOO", "day-of-week"),
        ("@reboot", "alias"),
    ],
)
def test_bad_expressions_are_refused_with_the_reason(expression: str, why: str) -> None:
    with pytest.raises(cron.InvalidCron, match=why):
        cron.parse(expression)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime"])
def test_unknown_time_zones_are_refused(name: str) -> None:
    with pytest.raises(cron.UnknownTimezone):
        cron.zone(name)


def test_next_fire_is_strictly_after_the_given_time() -> None:
    parsed = cron.parse("0 * * * *")
    assert cron.next_after(parsed, at(2026, 1, 1, 10), cron.zone("UTC")) == at(2026, 1, 1, 11)
    # A fraction of a second past the hour is past it, not at it.
    late = at(2026, 1, 1, 10) + dt.timedelta(microseconds=500_000)
    assert cron.next_after(parsed, late, cron.zone("UTC")) == at(2026, 1, 1, 11)


def test_times_follow_the_schedules_wall_clock() -> None:
    [fire] = fires("0 9 * * *", at(2026, 7, 1, 12), BERLIN, 1)
    assert fire == at(2026, 7, 2, 9, tz=BERLIN)
    assert fire.astimezone(UTC) == at(2026, 7, 2, 7)  # CEST is UTC+2


def test_steps_ranges_and_lists() -> None:
    got = fires("*/20 9-10 * * *", at(2026, 1, 1, 8, 59), UTC, 7)
    assert [(t.hour, t.minute) for t in got] == [
        (9, 0), (9, 20), (9, 40), (10, 0), (10, 20), (10, 40), (9, 0),
    ]  # fmt: skip
    weekdays = fires("0 12 * * MON,WED,FRI", at(2026, 12, 6), UTC, 3)  # a Sunday
    assert [t.strftime("%a %d") for t in weekdays] == ["Mon 07", "Wed 09", "Fri 11"]


def test_month_ends() -> None:
    got = fires("0 0 31 * *", at(2026, 1, 31, 1), UTC, 3)
    assert [t.date() for t in got] == [
        dt.date(2026, 3, 31), dt.date(2026, 5, 31), dt.date(2026, 7, 31),
    ]  # fmt: skip
    leap = fires("0 0 29 2 *", at(2026, 1, 1), UTC, 1)
    assert leap[0].date() == dt.date(2028, 2, 29)


def test_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    # Standard cron: both restricted means either matches.
    got = fires("0 0 13 * FRI", at(2026, 2, 1), UTC, 3)
    assert [t.date() for t in got] == [
        dt.date(2026, 2, 6), dt.date(2026, 2, 13), dt.date(2026, 2, 20),
    ]  # fmt: skip


def test_a_fixed_time_in_the_skipped_spring_hour_fires_once_just_after_it() -> None:
    # Europe/Berlin skips 02:00-03:00 on 2026-03-29.
    got = fires("30 2 * * *", at(2026, 3, 28, 12, tz=BERLIN), BERLIN, 2)
    assert [t.astimezone(UTC) for t in got] == [
        at(2026, 3, 29, 1, 0),  # 03:00 CEST, the first minute after the gap
        at(2026, 3, 30, 0, 30),  # 02:30 CEST the next day
    ]


def test_a_fixed_time_in_the_repeated_autumn_hour_fires_once() -> None:
    # America/New_York repeats 01:00-02:00 on 2026-11-01.
    got = fires("30 1 * * *", at(2026, 10, 31, 12, tz=NEW_YORK), NEW_YORK, 2)
    assert [t.astimezone(UTC) for t in got] == [
        at(2026, 11, 1, 5, 30),  # 01:30 EDT, the first of the two
        at(2026, 11, 2, 6, 30),  # 01:30 EST the next day: not 01:30 EST on the 1st
    ]


def test_a_wildcard_hour_fires_at_every_real_instant_across_the_autumn_change() -> None:
    got = fires("*/30 * * * *", at(2026, 10, 24, 23, 15), BERLIN, 6)
    assert [t.astimezone(UTC) for t in got] == [
        at(2026, 10, 24, 23, 30), at(2026, 10, 25, 0, 0), at(2026, 10, 25, 0, 30),
        at(2026, 10, 25, 1, 0), at(2026, 10, 25, 1, 30), at(2026, 10, 25, 2, 0),
    ]  # fmt: skip
    assert {t.utcoffset() for t in got} == {dt.timedelta(hours=2), dt.timedelta(hours=1)}


def test_missed_fires_collapse_into_the_latest() -> None:
    hourly, utc = cron.parse("@hourly"), cron.zone("UTC")
    fire, following = cron.latest_due(hourly, at(2026, 1, 1, 0), at(2026, 1, 5, 7, 30), utc)
    assert (fire, following) == (at(2026, 1, 5, 7), at(2026, 1, 5, 8))


def test_a_due_time_set_by_hand_fires_for_itself() -> None:
    daily, utc = cron.parse("0 0 * * *"), cron.zone("UTC")
    due = at(2026, 1, 5, 7, 15)
    fire, following = cron.latest_due(daily, due, at(2026, 1, 5, 7, 16), utc)
    assert (fire, following) == (due, at(2026, 1, 6))


def test_on_time_fire_is_its_own_time() -> None:
    minute, utc = cron.parse("* * * * *"), cron.zone("UTC")
    due = at(2026, 1, 5, 7, 15)
    fire, following = cron.latest_due(minute, due, due + dt.timedelta(seconds=0.3), utc)
    assert (fire, following) == (due, at(2026, 1, 5, 7, 16))
