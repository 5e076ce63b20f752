"""The safety net for workflow runs: a run whose current job ended long ago but which never
moved on (its ``advance_workflow`` message was lost for good) gets a new message. Extra
messages are harmless: an advance that finds the run not waiting for that job does
nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.events.wake import Notifier
from orchestrator.core.maintenance.chores import BATCH, requeue_per_tenant
from orchestrator.core.outbox.kinds import ADVANCE_WORKFLOW
from orchestrator.core.workflows import repository


async def sweep_stuck_runs(
    sessions: async_sessionmaker[AsyncSession], notifier: Notifier, *, grace_s: float
) -> int:
    """Queue an advance for every active run whose current job ended over ``grace_s`` ago,
    one transaction per workspace; how many were queued."""

    async def stuck(session: AsyncSession, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
        found = await repository.stuck_runs(session, grace_s=grace_s, limit=BATCH)
        return [
            {"tenant_id": str(tenant_id), "run_id": str(run_id), "job_id": str(job_id)}
            for run_id, job_id in found
        ]

    return await requeue_per_tenant(sessions, notifier, ADVANCE_WORKFLOW, stuck)
