"""The ``deliver_callback`` actor: one signed delivery attempt of a job's callback."""

from __future__ import annotations

import uuid

from orchestrator.core.callbacks.delivery import deliver
from orchestrator.worker.actors.job_context import job_resources


async def deliver_callback(tenant_id: str, job_id: str, attempt: int = 1) -> None:
    """Actor: POST the job's signed callback; a failure schedules the next attempt."""
    resources = await job_resources()
    sender, policy = resources.sender(), resources.delivery_policy()
    await deliver(sender, uuid.UUID(tenant_id), uuid.UUID(job_id), attempt, policy=policy)
