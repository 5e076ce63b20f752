"""Cron expressions: parse a standard 5-field expression and find its next fire time.

Pure functions over ``cronsim`` (ADR 0048). An expression is five fields (minute, hour,
day of month, month, day of week) with lists, ranges, steps and the names ``JAN`` to ``DEC``
and ``SUN`` to ``SAT``, or one of the aliases ``@yearly``, ``@annually``, ``@monthly``,
``@weekly``, ``@daily``, ``@midnight``, ``@hourly``. Seconds fields and cronsim's
extensions (``L``, ``W``, ``#``) are refused so an expression means the same to every
cron a reader knows.

Times are computed on the schedule's wall clock (an IANA time zone) with Debian cron's
DST rules, which cronsim implements: a job at a fixed time that falls in the hour
skipped in spring runs at the first minute after the gap (02:30 → 03:00), and one in the
hour repeated in autumn runs once, at its first occurrence; an expression whose minute or
hour field is a wildcard or a step (``*/15 * * * *``) runs at every matching instant of
real time instead.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from cronsim import CronSim, CronSimError

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
MAX_LENGTH = 200
# Digits, names, and the operators of standard cron: no L, W or # extensions.
_FIELD = re.compile(r"^[0-9A-Za-z*,/\-]+$")


class InvalidCron(ValueError):
    """An expression that is not standard 5-field cron; the message says why."""


class UnknownTimezone(ValueError):
    """A time zone name that is not in the IANA database."""


@dataclass(frozen=True, slots=True)
class Cron:
    """A validated expression (``source`` as written, ``fields`` with aliases expanded)."""

    source: str
    fields: str


def parse(expression: str) -> Cron:
    """``expression`` checked as standard cron; ``InvalidCron`` when it is not."""
    source = expression.strip()
    if not source or len(source) > MAX_LENGTH:
        raise InvalidCron(f"must be 1 to {MAX_LENGTH} characters")
    if source.startswith("@"):
        fields = ALIASES.get(source.lower())
        if fields is None:
            raise InvalidCron(f"unknown alias `{source}`; known: {', '.join(ALIASES)}")
        return Cron(source=source, fields=fields)
    parts = source.split()
    if len(parts) != len(FIELDS):
        raise InvalidCron(f"needs 5 fields ({' '.join(FIELDS)}), got {len(parts)}")
    for name, part in zip(FIELDS, parts, strict=True):
        if not _FIELD.match(part) or _bad_letters(part):
            raise InvalidCron(f"bad {name} field `{part}`")
    fields = " ".join(parts)
    try:
        CronSim(fields, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    except CronSimError as exc:
        raise InvalidCron(str(exc).lower()) from exc
    return Cron(source=source, fields=fields)


def _bad_letters(part: str) -> bool:
    """Letters outside month and day names (cronsim's ``L``/``W`` extensions among them)."""
    words = re.findall(r"[A-Za-z]+", part)
    names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
    names |= {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
    return any(word.upper() not in names for word in words)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone called ``name``; ``UnknownTimezone`` when there is none."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise UnknownTimezone(name)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimezone(name) from exc


def next_after(cron: Cron, after: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first fire time strictly after ``after`` (aware), in UTC.

    ``InvalidCron`` when the expression never fires again (cronsim looks 50 years ahead).
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    start = after.astimezone(tz)
    if start.microsecond:
        # cronsim drops microseconds before ticking: 10:00:00.5 must not yield 10:00:00.
        start = start.replace(microsecond=0)
    try:
        fire = next(CronSim(cron.fields, start))
    except StopIteration as exc:
        raise InvalidCron("never fires") from exc
    return fire.astimezone(dt.UTC)


def latest_due(
    cron: Cron, due_at: dt.datetime, now: dt.datetime, tz: zoneinfo.ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """For a schedule due at ``due_at`` (≤ ``now``): the fire time to run now and the next
    fire after ``now``.

    The fire time is the latest cron time not after ``now`` (so fires missed while no
    scheduler ran collapse into one), or ``due_at`` itself when no cron time lies between
    the two (a ``next_run_at`` set by hand).
    """
    start = now.astimezone(tz).replace(microsecond=0) + dt.timedelta(seconds=1)
    try:
        latest = next(CronSim(cron.fields, start, reverse=True)).astimezone(dt.UTC)
    except StopIteration:
        latest = due_at
    fire = max(latest, due_at) if latest <= now else due_at
    return fire, next_after(cron, now, tz)
