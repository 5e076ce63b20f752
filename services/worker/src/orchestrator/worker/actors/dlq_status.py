"""The DLQ's status on a workspace's channel: ``dlq_growing`` when its dead jobs reach the
threshold (``ORCH_CHANNEL_DLQ_THRESHOLD``, ADR 0104), at most once in ``REPEAT_AFTER_S``."""

from __future__ import annotations

import uuid

from loguru import logger

from orchestrator.core.channels.public import StatusKind, crossed, post_status
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.overview.repository import depths
from orchestrator.worker.actors.job_context import JobResources

REPEAT_AFTER_S = 600
"""A workspace's DLQ crossing its threshold again within this is not posted again."""


async def tell_dead(resources: JobResources, tenant_id: uuid.UUID, newly_dead: int) -> None:
    """After ``newly_dead`` jobs of the workspace went dead: post ``dlq_growing`` if they
    took the DLQ to the threshold. Never raises: the jobs' ends are recorded already."""
    threshold = resources.settings.core.channel.dlq_threshold
    namespace = resources.settings.core.redis.namespace
    try:
        async with tenant_transaction(resources.sessions, tenant_id) as session:
            counted = await depths(session, tenant_id, limit=threshold + newly_dead)
        dead = counted.jobs["dead"]
        # Finishes racing on several workers may each see the crossing: one posts.
        if crossed(dead - newly_dead, dead, threshold) and await resources.redis.set(
            f"{namespace}:chan:{{{tenant_id}}}:dlq-posted", b"1", nx=True, ex=REPEAT_AFTER_S
        ):
            await post_status(
                resources.redis,
                namespace,
                tenant_id,
                StatusKind.DLQ_GROWING,
                subject="dlq",
                figures={"dead": dead, "threshold": threshold},
            )
    except Exception as exc:  # a status is a courtesy; the DLQ itself is intact
        logger.warning("DLQ status of {} not posted: {!r}", tenant_id, exc)
