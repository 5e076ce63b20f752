"""Request and response shapes of the quotas area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

Limit = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Budget = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000_000)]
KeepDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]


class QuotaPut(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The workspace's limits; a missing or null limit is unlimited."""

    rps: Limit | None = None
    concurrency: Limit | None = None
    queue_depth: Limit | None = None
    monthly_calls: Budget | None = None
    """Upstream calls per calendar month (UTC); past it calls get ``429 budget-spent``."""
    events_keep_days: KeepDays | None = None
    """Days events are kept; null: the deployment's default (7 days unless configured)."""
    finished_jobs_keep_days: KeepDays | None = None
    """Days succeeded, failed and cancelled jobs are kept (default 30; dead jobs stay)."""
    webhook_inbox_keep_days: KeepDays | None = None
    """Days processed webhook events and finished forwards are kept (default 30)."""
    versions_keep: Limit | None = None
    """Configuration versions always kept, the newest (default 100)."""
    versions_keep_days: KeepDays | None = None
    """Days older configuration versions are kept (default 90); never the active one or
    the one a rollback returns to."""


class QuotaOut(msgspec.Struct, frozen=True, kw_only=True):
    """The workspace's limits (null is unlimited); version 0 means never set."""

    rps: int | None
    concurrency: int | None
    queue_depth: int | None
    monthly_calls: int | None
    events_keep_days: int | None
    finished_jobs_keep_days: int | None
    webhook_inbox_keep_days: int | None
    versions_keep: int | None
    versions_keep_days: int | None
    version: int
    updated_at: dt.datetime | None


class MonthUsage(msgspec.Struct, frozen=True, kw_only=True):
    """Calls counted in one calendar month; null when the count is no longer kept."""

    period: str
    used: int | None


class UsageOut(msgspec.Struct, frozen=True, kw_only=True):
    """The workspace's spending of its monthly call budget.

    Calls are counted only while a budget is set; ``remaining`` and ``warning_at`` are null
    without one. The call that reaches ``warning_at`` (95 %) appends a
    ``quota.budget_warning`` event.
    """

    period: str
    used: int
    monthly_calls: int | None
    remaining: int | None
    warning_at: int | None
    resets_at: dt.datetime
    previous: MonthUsage
