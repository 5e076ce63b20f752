"""The ``route_webhook`` and ``forward_webhook`` actors (ADR 0036). Ids only.

Both are idempotent: routing acts only on an inbox row still ``received`` and marks it
in the same transaction; a forward attempt is a compare-and-set on its attempt count.
"""

from __future__ import annotations

import uuid

from loguru import logger
from prometheus_client import Counter

from orchestrator.core.webhooks import forwards, router
from orchestrator.worker.actors.job_context import job_resources
from orchestrator.worker.actors.unit_of_work import actor_transaction

ROUTED = Counter(
    "orchestrator_webhook_route_messages_total",
    "route_webhook messages, by the status they left the event in (skipped: it was not "
    "waiting to be routed, a redelivery)",
    ["status"],
)
FORWARDS = Counter(
    "orchestrator_webhook_forward_attempts_total",
    "Webhook forward attempts, by outcome",
    ["outcome"],
)


async def route_webhooks(tenant_id: str, inbox_ids: list[str]) -> None:
    """Actor: route a batch of one workspace's stored deliveries to its bindings."""
    ids = [uuid.UUID(inbox_id) for inbox_id in inbox_ids]
    async with actor_transaction(tenant_id) as work:
        outcomes = await router.route_many(
            work.session, work.notifier, work.tenant_id, ids, network=work.network
        )
    counted: set[uuid.UUID] = set()
    for inbox_id in ids:
        # None: the event was not waiting (a redelivery, or a duplicate routed it first,
        # in another message or earlier in this one).
        outcome = None if inbox_id in counted else outcomes.get(inbox_id)
        counted.add(inbox_id)
        ROUTED.labels(outcome.status if outcome else "skipped").inc()
        if outcome is not None and outcome.status == "failed":
            logger.warning("webhook event {} failed to route: {}", inbox_id, outcome.error)


async def route_webhook(tenant_id: str, inbox_id: str) -> None:
    """Actor: route one stored delivery; messages published before ``route_webhooks``."""
    await route_webhooks(tenant_id, [inbox_id])


async def forward_webhook(tenant_id: str, forward_id: str, attempt: int = 1) -> None:
    """Actor: one signed POST of a routed event; a failure schedules the next attempt."""
    resources = await job_resources()
    sender, policy = resources.sender(), resources.delivery_policy()
    done = await forwards.deliver(
        sender, uuid.UUID(tenant_id), uuid.UUID(forward_id), attempt, policy=policy
    )
    FORWARDS.labels(done.outcome).inc()
