"""The usage budget's calendar and its 95 % warning, as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.core.policy.budget import (
    PeriodClock,
    crosses_warning,
    period_at,
    warning_threshold,
)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC).timestamp()


@pytest.mark.parametrize(
    ("moment", "name", "ends"),
    [
        (at(2026, 12, 31, 23, 59, 59), "2026-12", at(2027, 1, 1)),
        (at(2027, 1, 1), "2027-01", at(2027, 2, 1)),
        (at(2028, 2, 29, 12), "2028-02", at(2028, 3, 1)),
        (at(2027, 2, 28, 23, 59), "2027-02", at(2027, 3, 1)),
    ],
)
def test_a_period_is_the_calendar_month_in_utc(moment: float, name: str, ends: float) -> None:
    period = period_at(moment)
    assert period.name == name
    assert period.ends_at_s == ends
    assert period.starts_at.timestamp() <= moment < period.ends_at_s


def test_consecutive_months_have_consecutive_ids() -> None:
    december, january = period_at(at(2026, 12, 15)), period_at(at(2027, 1, 15))
    assert january.id == december.id + 1
    assert period_at(at(2026, 12, 1)).id == december.id


@pytest.mark.parametrize(("budget", "threshold"), [(1, 1), (2, 2), (20, 19), (100, 95), (101, 96)])
def test_the_warning_comes_with_the_call_that_reaches_95_percent(
    budget: int, threshold: int
) -> None:
    assert warning_threshold(budget) == threshold
    crossing = [used for used in range(1, budget + 1) if crosses_warning(used, budget)]
    assert crossing == [threshold]


def test_the_clock_moves_to_the_next_month_when_it_turns() -> None:
    clock = PeriodClock()
    november = clock.at(at(2026, 11, 30, 23, 59))
    assert clock.at(at(2026, 11, 1)) is november
    december = clock.at(at(2026, 12, 1))
    assert december.name == "2026-12"
    assert clock.at(at(2026, 11, 15)).name == "2026-11"  # a clock stepping back is followed
