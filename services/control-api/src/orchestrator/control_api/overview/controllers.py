"""``/api/v1/overview``: a workspace at a glance, for the operator console's first page."""

from __future__ import annotations

import time
from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from orchestrator.control_api.overview.schemas import (
    BreakerOut,
    BreakerStateName,
    BudgetOut,
    ConnectorHealthOut,
    InboxDepthsOut,
    JobDepthsOut,
    OperationOut,
    OverviewOut,
    RateLimitOut,
    RecentCallsOut,
    RecentWindowOut,
)
from orchestrator.control_api.routes import READ
from orchestrator.control_api.scope import (
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS, out
from orchestrator.core.events.views import to_out as event_out
from orchestrator.core.overview import service
from orchestrator.core.overview.repository import RecentCalls
from orchestrator.core.overview.service import ConnectorHealth, Overview
from orchestrator.core.policy.breaker import BreakerState
from orchestrator.core.policy.budget import period_at, warning_threshold
from orchestrator.core.policy.inspect import OperationState
from orchestrator.core.runtime import Resources

_WORST_FIRST = (BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED)

Events = Annotated[
    int,
    QueryParameter(
        ge=0, le=service.EVENT_LIMIT, description="How many of the latest events to show."
    ),
]


def recent_out(calls: RecentCalls | None) -> RecentCallsOut:
    """A connector's recent attempts (all zero when it made none)."""
    if calls is None:
        return RecentCallsOut(
            attempts=0,
            running=0,
            succeeded=0,
            failed=0,
            error_rate=None,
            p50_ms=None,
            p95_ms=None,
            max_ms=None,
        )
    ended = calls.succeeded + calls.failed
    return out(calls, RecentCallsOut, error_rate=calls.failed / ended if ended else None)


def worst_breaker(states: list[OperationState] | None) -> BreakerStateName | None:
    """The worst breaker state among a connector's operations; None without one."""
    found = {state.breaker.state for state in states or () if state.breaker is not None}
    return next((state.value for state in _WORST_FIRST if state in found), None)


def operation_out(name: str, state: OperationState | None) -> OperationOut:
    """The API view of one operation's gate state."""
    breaker = None if state is None or state.breaker is None else out(state.breaker, BreakerOut)
    rate = (
        None if state is None or state.rate_limit is None else out(state.rate_limit, RateLimitOut)
    )
    return OperationOut(name=name, breaker=breaker, rate_limit=rate)


def connector_out(health: ConnectorHealth) -> ConnectorHealthOut:
    """The API view of one connector's health."""
    # No state per operation when the policy gates nothing or Redis did not answer.
    states: list[OperationState | None] = list(health.states or []) or [None] * len(
        health.operations
    )
    return ConnectorHealthOut(
        name=health.connector.name,
        type=health.connector.type,
        enabled=health.connector.enabled,
        policy=health.policy,
        breaker=worst_breaker(health.states),
        operations=[
            operation_out(name, state)
            for name, state in zip(health.operations, states, strict=True)
        ],
        more_operations=health.more_operations,
        recent=recent_out(health.recent),
    )


def budget_out(found: Overview) -> BudgetOut:
    """The month's budget use (its count unknown when Redis did not answer)."""
    budget = found.monthly_calls
    period = period_at(time.time()) if found.usage is None else found.usage.period
    used = None if found.usage is None else found.usage.used
    return BudgetOut(
        period=period.name,
        used=used,
        monthly_calls=budget,
        remaining=None if budget is None or used is None else max(0, budget - used),
        warning_at=None if budget is None else warning_threshold(budget),
        resets_at=period.ends_at,
    )


class OverviewController(ScopedController):
    """The workspace (``?workspace=``, default the token's) at a glance. Read by any operator
    of the organization."""

    path = "/api/v1/overview"
    tags = ["overview"]

    @get(opt=READ, responses=READS)
    async def get_overview(
        self, resources: Resources, ws: WorkspaceScope, events: Events = 20
    ) -> OverviewOut:
        """Per connector (by name, at most 100): its operations' breakers and rate limits
        and its job attempts of the last 15 minutes (error rate, latency); the depths of the
        queue, the DLQ and the webhook inbox; the month's budget use; the latest events.
        Every part is a bounded read, whatever the workspace's size."""
        found = await service.read_overview(
            ws.session,
            resources.redis,
            resources.settings.redis.namespace,
            ws.tenant_id,
            events_limit=events,
        )
        jobs, inbox = found.depths.jobs, found.depths.webhook_inbox
        return OverviewOut(
            workspace_id=ws.workspace.id,
            workspace=ws.workspace.name,
            gate_state_available=found.gate_state,
            connectors=[connector_out(health) for health in found.connectors],
            more_connectors=found.more_connectors,
            jobs=JobDepthsOut(queued=jobs["queued"], running=jobs["running"], dead=jobs["dead"]),
            webhook_inbox=InboxDepthsOut(
                received=inbox["received"], unrouted=inbox["unrouted"], failed=inbox["failed"]
            ),
            count_limit=found.depths.limit,
            recent=RecentWindowOut(
                window_s=service.RECENT_WINDOW_S,
                limit=service.RECENT_LIMIT,
                attempts_read=found.recent.read,
            ),
            budget=budget_out(found),
            events=[event_out(event) for event in found.events],
        )
