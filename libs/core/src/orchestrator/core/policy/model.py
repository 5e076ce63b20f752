"""Policies as data: what a tenant configures per connector operation.

Every struct is closed (unknown members are refused) and has defaults copied from
resilience4j and the issue brief, so ``{}`` is a valid, conservative policy.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

PositiveSeconds = Annotated[float, msgspec.Meta(gt=0, le=86_400)]
Percent = Annotated[float, msgspec.Meta(gt=0, le=100)]
Count = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Budget = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000_000)]
KeepDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]
HttpStatus = Annotated[int, msgspec.Meta(ge=100, le=599)]

DEFAULT_RETRY_STATUSES = (408, 425, 429, 500, 502, 503, 504)


class _Closed(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Closed and immutable; subclasses repeat the options so type checkers see them."""


class TimeoutPolicy(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Connect and read timeouts of one attempt, and the deadline over all attempts."""

    connect_s: PositiveSeconds = 2.0
    read_s: PositiveSeconds = 10.0
    total_s: PositiveSeconds = 30.0


class RetryPolicy(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Capped exponential backoff with full jitter, on retryable outcomes only."""

    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    base_delay_s: PositiveSeconds = 0.1
    max_delay_s: PositiveSeconds = 5.0
    retry_on_status: tuple[HttpStatus, ...] = DEFAULT_RETRY_STATUSES
    retry_on_connect_error: bool = True
    honour_retry_after: bool = True


class BreakerPolicy(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A resilience4j-style circuit breaker (see docs/protocols.md §3)."""

    window: Literal["count", "time"] = "count"
    window_size: Count = 100
    """Calls (count window) or seconds (time window) the rates are computed over."""
    minimum_calls: Count = 100
    failure_rate_threshold: Percent = 50.0
    slow_call_rate_threshold: Percent = 100.0
    slow_call_duration_s: PositiveSeconds = 60.0
    wait_open_s: PositiveSeconds = 60.0
    half_open_calls: Count = 10


class RateLimitPolicy(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """GCRA: ``limit`` requests per ``period_s``, bursting up to ``burst``."""

    limit: Count
    period_s: PositiveSeconds = 1.0
    burst: Count | None = None
    """Defaults to ``limit``."""


class DegradationPolicy(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What an open breaker does to a call: refuse it, or queue it as a delayed job."""

    mode: Literal["fail_fast", "queue"] = "fail_fast"
    queue_delay_s: PositiveSeconds = 30.0


class PolicySpec(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything applied to one (tenant, connector, operation)."""

    timeout: TimeoutPolicy = TimeoutPolicy()
    retry: RetryPolicy = RetryPolicy()
    breaker: BreakerPolicy | None = None
    rate_limit: RateLimitPolicy | None = None
    degradation: DegradationPolicy = DegradationPolicy()


class TenantQuota(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Limits on a whole workspace, whatever it calls; ``None`` is unlimited."""

    rps: Count | None = None
    concurrency: Count | None = None
    queue_depth: Count | None = None
    monthly_calls: Budget | None = None
    """Upstream calls the workspace may make per calendar month (UTC); a call past it is
    refused until the month ends, and the call that crosses 95 % is announced."""
    events_keep_days: KeepDays | None = None
    """Days the workspace's events are kept (``None``: the deployment's
    ``ORCH_JOBS_EVENTS_KEEP_S``)."""
    finished_jobs_keep_days: KeepDays | None = None
    """Days a succeeded, failed or cancelled job is kept (``ORCH_JOBS_FINISHED_JOBS_KEEP_S``)."""
    webhook_inbox_keep_days: KeepDays | None = None
    """Days a processed webhook event or finished forward is kept
    (``ORCH_JOBS_WEBHOOK_INBOX_KEEP_S``)."""
    versions_keep: Count | None = None
    """Configuration versions always kept, the newest (``ORCH_JOBS_VERSIONS_KEEP``)."""
    versions_keep_days: KeepDays | None = None
    """Days an older configuration version is kept (``ORCH_JOBS_VERSIONS_KEEP_S``); the
    active one and the one a rollback returns to are never deleted."""
