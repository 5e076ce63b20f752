"""What a change to jobs tells the rest of the system: the message naming a job, the wake-up.

Every rule that changes jobs ends the same way: an outbox row or actor call names the job
by ids only (the actor reads the rest in its own transaction), and the tenant's live event
streams are woken once the transaction commits, never before, so a rolled-back change
announces nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.events.wake import Notifier, after_commit


def job_message(tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """The outbox payload (and actor kwargs) naming a job: ids only."""
    return {"tenant_id": str(tenant_id), "job_id": str(job_id)}


def tell_events(session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID) -> None:
    """Wake the tenant's live event streams once the session's transaction commits."""
    after_commit(session, lambda: notifier.events_appended(tenant_id))
