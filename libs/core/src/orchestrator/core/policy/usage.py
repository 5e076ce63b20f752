"""Reading a workspace's spending of its monthly call budget (what the gate counted)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

from orchestrator.core.policy.budget import BudgetPeriod, period_at
from orchestrator.core.policy.keys import gate_namespace, usage_key


@dataclass(frozen=True, slots=True)
class Usage:
    """Calls counted this month and, when still kept, last month."""

    period: BudgetPeriod
    used: int
    previous_period: BudgetPeriod
    previous_used: int | None


async def read_usage(redis: Redis, namespace: str, tenant_id: uuid.UUID) -> Usage:
    """The tenant's counts; a month the gate never counted in (no budget then) reads 0.

    ``namespace`` is the deployment's Redis namespace (``ORCH_REDIS_NAMESPACE``).
    """
    period = period_at(time.time())
    previous = period_at(period.starts_at.timestamp() - 1)
    key = usage_key(gate_namespace(namespace), tenant_id)
    month, used, last_month, last_used = await redis.hmget(key, ["m", "n", "pm", "pn"])
    counts = {}
    for stored_month, count in ((month, used), (last_month, last_used)):
        if stored_month is not None and count is not None:
            counts[int(stored_month)] = int(count)
    return Usage(
        period=period,
        used=counts.get(period.id, 0),
        previous_period=previous,
        previous_used=counts.get(previous.id),
    )
