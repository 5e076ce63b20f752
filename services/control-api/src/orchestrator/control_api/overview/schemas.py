"""Response shapes of the workspace overview."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec

from orchestrator.core.events.views import EventOut

BreakerStateName = Literal["closed", "open", "half_open"]


class BreakerOut(msgspec.Struct, frozen=True, kw_only=True):
    """One operation's circuit breaker, as every replica of the exec plane sees it."""

    state: BreakerStateName
    since: dt.datetime | None
    """When it entered ``state``; null for a breaker that never opened."""
    open_until: dt.datetime | None
    """While open: when the next call goes through as a probe (until a call does, the
    breaker stays ``open`` past this instant)."""
    calls: int
    """Closed: calls in its current window (of every kind: ``/execute``, jobs, webhook
    bindings); half-open: probes reported so far; open: 0."""
    failures: int
    slow: int


class RateLimitOut(msgspec.Struct, frozen=True, kw_only=True):
    """One operation's rate limit and how much of it is free right now."""

    limit: int
    period_s: float
    burst: int
    remaining: int
    """Calls that would be let through now."""
    reset_s: float
    """Seconds until the whole burst is free again."""


class OperationOut(msgspec.Struct, frozen=True, kw_only=True):
    """One operation of a connector and its gate state; null where the connector's policy
    has no breaker (or no rate limit), or Redis did not answer."""

    name: str
    breaker: BreakerOut | None
    rate_limit: RateLimitOut | None


class RecentCallsOut(msgspec.Struct, frozen=True, kw_only=True):
    """A connector's job attempts among those of the recent window that were read (see
    ``recent``): calls made by jobs (queued, scheduled, webhook-bound, workflow steps), not
    synchronous ``/execute`` calls, which the breakers' windows count."""

    attempts: int
    running: int
    succeeded: int
    failed: int
    """Ended any other way: refused, retryable, or lost with their worker."""
    error_rate: float | None
    """``failed / (succeeded + failed)``; null when none ended."""
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


class ConnectorHealthOut(msgspec.Struct, frozen=True, kw_only=True):
    """One connector at a glance."""

    name: str
    type: str
    enabled: bool
    policy: str | None
    breaker: BreakerStateName | None
    """The worst of its operations' breakers (``open`` over ``half_open`` over ``closed``);
    null when its policy has no breaker or Redis did not answer."""
    operations: list[OperationOut]
    """By name, at most 50."""
    more_operations: bool
    recent: RecentCallsOut


class JobDepthsOut(msgspec.Struct, frozen=True, kw_only=True):
    """Jobs waiting to run, running, and dead (the DLQ)."""

    queued: int
    running: int
    dead: int


class InboxDepthsOut(msgspec.Struct, frozen=True, kw_only=True):
    """Webhook events waiting to be routed, matched by no workspace, given up on."""

    received: int
    unrouted: int
    failed: int


class BudgetOut(msgspec.Struct, frozen=True, kw_only=True):
    """This month's upstream calls against the monthly budget (as ``/quotas/usage``);
    ``used`` is null when Redis did not answer."""

    period: str
    used: int | None
    monthly_calls: int | None
    remaining: int | None
    warning_at: int | None
    resets_at: dt.datetime


class RecentWindowOut(msgspec.Struct, frozen=True, kw_only=True):
    """Which job attempts the connectors' ``recent`` figures are made of: those started in
    the last ``window_s`` seconds, at most the latest ``limit``."""

    window_s: int
    limit: int
    attempts_read: int
    """Equal to ``limit``: the window held more, and only its latest were read."""


class OverviewOut(msgspec.Struct, frozen=True, kw_only=True):
    """A workspace at a glance, read in one bounded request."""

    workspace_id: uuid.UUID
    workspace: str
    gate_state_available: bool
    """False when Redis did not answer: breakers, rate limits and budget use are null."""
    connectors: list[ConnectorHealthOut]
    """By name, at most 100."""
    more_connectors: bool
    jobs: JobDepthsOut
    webhook_inbox: InboxDepthsOut
    count_limit: int
    """Depths are counted up to this: a depth equal to it means at least that many."""
    recent: RecentWindowOut
    budget: BudgetOut
    events: list[EventOut]
    """The workspace's latest events, newest first; the first one's ``id`` is where an
    event reader (``GET /api/v1/events?after=``, exec-api) picks up."""
