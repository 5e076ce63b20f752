"""Request and response shapes of the schedules area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from orchestrator.control_api.fields import Name
from orchestrator.control_api.views import page_schema
from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.schedules.service import ScheduleInput

Cron = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Standard 5-field cron (minute hour day-of-month month day-of-week) with "
        "lists, ranges, steps and JAN-DEC / SUN-SAT names, or @yearly, @monthly, @weekly, "
        "@daily, @hourly.",
        examples=["*/15 9-17 * * MON-FRI"],
    ),
]
Timezone = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=NO_NUL,
        description="IANA time zone whose wall clock the cron follows.",
        examples=["Europe/Berlin"],
    ),
]
Target = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
CallbackUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=NO_NUL)]


class ScheduleReplace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A schedule's settings: what it starts (a job: ``connector`` and ``operation``; or a
    run of ``workflow``), and when. ``payload`` is the job's payload or the run's input."""

    cron: Cron
    timezone: Timezone = "UTC"
    connector: Target | None = None
    operation: Target | None = None
    workflow: Name | None = None
    payload: Any = msgspec.field(default_factory=dict)
    callback_url: CallbackUrl | None = None
    enabled: bool = True


class ScheduleCreate(ScheduleReplace, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new schedule."""

    name: Name


class ScheduleOut(ScheduleInput, frozen=True, kw_only=True):
    """A schedule; ``next_run_at`` is when it fires next (UTC). Either ``connector`` and
    ``operation`` (a job) or ``workflow`` (a run) is set."""

    id: str
    name: str
    next_run_at: dt.datetime
    last_fired_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


ScheduleList = page_schema(
    ScheduleOut,
    "A page of the workspace's schedules, by name",
)
