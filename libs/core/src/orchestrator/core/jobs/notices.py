"""What a change to jobs tells the rest of the system: the message naming a job, the wake-up.

Every rule that changes jobs ends the same way: an outbox row or actor call names the job
by ids only (the actor reads the rest in its own transaction), and the tenant's live event
streams are woken once the transaction commits, never before, so a rolled-back change
announces nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import RUN_JOB


def job_message(tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """The outbox payload (and actor kwargs) naming a job: ids only."""
    return {"tenant_id": str(tenant_id), "job_id": str(job_id)}


async def queue_run(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    available_at: dt.datetime | None = None,
) -> None:
    """Write the ``run_job`` outbox row that dispatches ``job_id`` again, due at
    ``available_at`` (now)."""
    await outbox.enqueue(
        session,
        notifier,
        workspace_id=tenant_id,
        kind=RUN_JOB,
        payload=job_message(tenant_id, job_id),
        available_at=available_at,
    )


def tell_events(session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID) -> None:
    """Wake the tenant's live event streams once the session's transaction commits."""
    after_commit(session, lambda: notifier.events_appended(tenant_id))
