"""The ``deliver_callback`` actor: one signed delivery attempt of a job's callback."""

from __future__ import annotations

import uuid

from orchestrator.core.callbacks.delivery import CallbackPolicy, deliver
from orchestrator.worker.actors.job_context import job_resources


async def deliver_callback(tenant_id: str, job_id: str, attempt: int = 1) -> None:
    """Actor: POST the job's signed callback; a failure schedules the next attempt."""
    resources = await job_resources()
    if resources.keys is None:
        raise RuntimeError("ORCH_KEK is not set: callback-signing secrets cannot be opened")
    await deliver(
        resources.sessions,
        resources.waker,
        resources.keys,
        resources.upstream,
        uuid.UUID(tenant_id),
        uuid.UUID(job_id),
        attempt,
        policy=CallbackPolicy(max_attempts=resources.settings.jobs.callback_max_attempts),
    )
