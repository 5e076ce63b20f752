"""A workspace at a glance, read in one request whatever the workspace's size.

Every part is bounded: at most ``CONNECTOR_LIMIT`` connectors (by name) with at most
``OPERATION_LIMIT`` operations each, depths counted up to ``COUNT_LIMIT``, the latest
``RECENT_LIMIT`` job attempts of the last ``RECENT_WINDOW_S`` seconds, the latest events.
PostgreSQL is read in the request's transaction (one query at a time, as a session
allows) while Redis (breakers, rate limits, the month's budget use) is read alongside in
one pipeline. Redis not answering does not fail the read: the gate's parts are then
``None`` and ``gate_state`` is false.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.configuration import repository as configuration
from orchestrator.core.configuration import views
from orchestrator.core.connectors.models import Connector
from orchestrator.core.connectors.registry import operations_of
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import ValidationFailed
from orchestrator.core.events import log as events
from orchestrator.core.events.log import StoredEvent
from orchestrator.core.overview import repository
from orchestrator.core.overview.repository import Depths, RecentAttempts, RecentCalls
from orchestrator.core.policy.inspect import OperationState, read_operation_states
from orchestrator.core.policy.model import PolicySpec
from orchestrator.core.policy.usage import Usage, read_usage

CONNECTOR_LIMIT = 100
"""Connectors shown, by name; a workspace with more says so (``more_connectors``)."""
OPERATION_LIMIT = 50
"""Operations shown per connector, by name, each with its breaker and rate limit."""
COUNT_LIMIT = 10_000
"""A depth is counted up to this; a count equal to it means at least that many."""
RECENT_WINDOW_S = 900
"""The recent error rate and latency are those of job attempts started in the last 15
minutes."""
RECENT_LIMIT = 1_000
"""At most this many of the window's latest attempts are read."""
EVENT_LIMIT = 100
"""The most events an overview shows."""


@dataclass(frozen=True, slots=True)
class ConnectorHealth:
    """One connector: its configuration, its operations' gate state and its recent calls."""

    connector: Connector
    policy: str | None
    spec: PolicySpec
    operations: list[str]
    """Its operations by name, at most ``OPERATION_LIMIT``."""
    more_operations: bool
    states: list[OperationState] | None
    """Per operation listed, in order, when its policy has a breaker or a rate limit (else
    empty); None when Redis did not answer."""
    recent: RecentCalls | None
    """Its attempts among the recent ones read; None when it made none."""


@dataclass(frozen=True, slots=True)
class Overview:
    """What ``read_overview`` found."""

    connectors: list[ConnectorHealth]
    more_connectors: bool
    depths: Depths
    recent: RecentAttempts
    monthly_calls: int | None
    """The workspace's monthly call budget; None: unlimited."""
    usage: Usage | None
    """The budget's use; None when Redis did not answer."""
    events: list[StoredEvent]
    gate_state: bool
    """Whether Redis answered (breakers, rate limits, budget use)."""


@dataclass(frozen=True, slots=True)
class _Gate:
    states: list[OperationState]
    usage: Usage


def _gates(spec: PolicySpec) -> bool:
    """Whether the policy keeps state in the gate per operation (a breaker, a rate limit)."""
    return spec.breaker is not None or spec.rate_limit is not None


def _operations(connector: Connector) -> tuple[list[str], bool]:
    """The connector's operation names, sorted and cut to ``OPERATION_LIMIT``; none for a
    config its type no longer reads (it cannot be called either)."""
    try:
        names = sorted(operations_of(connector.type, connector.config))
    except ValidationFailed:
        return [], False
    return names[:OPERATION_LIMIT], len(names) > OPERATION_LIMIT


async def _read_gate(
    redis: Redis,
    namespace: str,
    tenant_id: uuid.UUID,
    operations: Sequence[tuple[str, str, PolicySpec]],
) -> _Gate | None:
    """The gate's state of ``operations`` and the month's use; None if Redis fails."""
    try:
        states, usage = await asyncio.gather(
            read_operation_states(redis, namespace, tenant_id, operations),
            read_usage(redis, namespace, tenant_id),
        )
    except RedisError as exc:
        logger.warning("workspace overview without the gate's state: {!r}", exc)
        return None
    return _Gate(states, usage)


async def read_overview(
    session: AsyncSession,
    redis: Redis,
    namespace: str,
    tenant_id: uuid.UUID,
    *,
    events_limit: int,
) -> Overview:
    """The workspace ``tenant_id`` (the session's tenant) at a glance, with its latest
    ``events_limit`` events. ``namespace`` is the deployment's Redis namespace."""
    page = await configuration.connectors_with_specs(session, PageRequest(limit=CONNECTOR_LIMIT))
    listed = [(row, policy, spec, *_operations(row)) for row, policy, spec in page.items]
    gated = [
        (row.name, operation, spec)
        for row, _, spec, operations, _ in listed
        if _gates(spec)
        for operation in operations
    ]
    gate = asyncio.create_task(_read_gate(redis, namespace, tenant_id, gated))
    try:
        depths = await repository.depths(session, tenant_id, limit=COUNT_LIMIT)
        recent = await repository.recent_attempts(
            session, tenant_id, window_s=RECENT_WINDOW_S, limit=RECENT_LIMIT
        )
        latest = await events.latest(session, tenant_id, limit=events_limit)
        budget = views.quota_of(await configuration.quota_row(session)).monthly_calls
    except BaseException:
        gate.cancel()
        raise
    read = await gate
    states = iter(read.states) if read is not None else None
    by_connector = {calls.connector: calls for calls in recent.connectors}
    connectors = []
    for row, policy, spec, operations, more in listed:
        own: list[OperationState] | None = None
        if states is not None:
            own = [next(states) for _ in operations] if _gates(spec) else []
        connectors.append(
            ConnectorHealth(
                connector=row,
                policy=policy,
                spec=spec,
                operations=operations,
                more_operations=more,
                states=own,
                recent=by_connector.get(row.name),
            )
        )
    return Overview(
        connectors=connectors,
        more_connectors=page.next_cursor is not None,
        depths=depths,
        recent=recent,
        monthly_calls=budget,
        usage=None if read is None else read.usage,
        events=latest,
        gate_state=read is not None,
    )
