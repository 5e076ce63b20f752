"""What other domains and the services may use of the channel: posting the orchestrator's
own canned statuses (ADR 0104). A status is news in flight like any action: nothing is
stored, and one lost while Redis is away is simply not seen."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError

from orchestrator.core.channels.events import SYSTEM, ChannelEvent, StatusKind
from orchestrator.core.channels.fanout import publish
from orchestrator.core.policy.breaker import BreakerState
from orchestrator.core.policy.keys import CallKey

__all__ = ["BreakerChange", "StatusKind", "breaker_statuses", "crossed", "post_status"]

BreakerChange = Callable[[CallKey, BreakerState], Awaitable[None]]
"""Told when a call moves its breaker: to ``open`` (opened, or re-opened by its probes) or
to ``closed`` (its probes succeeded)."""


async def post_status(
    redis: Redis,
    namespace: str,
    workspace_id: uuid.UUID,
    status: StatusKind,
    *,
    subject: str | None = None,
    figures: dict[str, int] | None = None,
) -> None:
    """Post a canned status of the orchestrator's to the workspace's channel (never raises:
    a status is a courtesy, and the work that caused it must go on)."""
    event = ChannelEvent(
        type="status",
        workspace_id=workspace_id,
        actor=SYSTEM,
        status=status,
        subject=subject,
        figures=figures,
    )
    try:
        await publish(redis, namespace, event)
    except RedisError as exc:
        logger.debug("channel status {} of {} not posted: {!r}", status, workspace_id, exc)


def crossed(before: int, after: int, threshold: int) -> bool:
    """Whether a count going from ``before`` to ``after`` reached ``threshold`` just now."""
    return before < threshold <= after


def breaker_statuses(redis: Redis, namespace: str) -> BreakerChange:
    """A ``BreakerChange`` that posts ``breaker_open`` / ``breaker_closed`` with the call's
    ``<connector>/<operation>`` as subject."""

    async def changed(key: CallKey, state: BreakerState) -> None:
        status = (
            StatusKind.BREAKER_OPEN if state is BreakerState.OPEN else StatusKind.BREAKER_CLOSED
        )
        subject = f"{key.connector}/{key.operation}"
        await post_status(redis, namespace, key.tenant_id, status, subject=subject)

    return changed
