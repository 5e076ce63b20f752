"""A stopping worker hands back the jobs it has no time left to finish (ADR 0081).

Each job whose attempt the worker still holds has its lease ended now and a ``run_job``
message due now, in one transaction of its workspace, so another worker takes it over
at once instead of a lease later. The attempt is then cancelled by the caller; one that
ends meanwhile finishes as usual (the message then finds the job done).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs.notices import queue_run

_RELEASE = text(
    """
    UPDATE jobs SET lease_until = now() - interval '1 millisecond'
    FROM unnest(CAST(:job_ids AS uuid[]), CAST(:attempts AS int[])) AS held(job_id, attempt)
    WHERE jobs.id = held.job_id AND jobs.status = 'running' AND jobs.attempts = held.attempt
    RETURNING jobs.id
    """
)


async def hand_back(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    held: Sequence[tuple[uuid.UUID, int]],
) -> list[uuid.UUID]:
    """End the leases of the ``(job id, attempt)`` still held and queue each job again
    (in ``session``, scoped to ``tenant_id``); the ids handed back."""
    params = {"job_ids": [job_id for job_id, _ in held], "attempts": [a for _, a in held]}
    released = list((await session.scalars(_RELEASE, params)).all())
    for job_id in released:
        await queue_run(session, notifier, tenant_id, job_id)
    return released
