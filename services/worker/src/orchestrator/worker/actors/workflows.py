"""The ``advance_workflow`` actor: move a workflow run on after one of its jobs ended
(ADR 0050). Ids only; idempotent (a redelivery finds the run no longer waiting)."""

from __future__ import annotations

import uuid

from prometheus_client import Counter

from orchestrator.core.workflows import runs
from orchestrator.worker.actors.unit_of_work import actor_transaction

ADVANCES = Counter(
    "orchestrator_workflow_advances_total",
    "advance_workflow messages, by the status they left the run in (skipped: the run was "
    "not waiting for that job, a redelivery)",
    ["status"],
)


async def advance_workflow(tenant_id: str, run_id: str, job_id: str) -> None:
    """Actor: record the ended job on its run and queue what follows."""
    async with actor_transaction(tenant_id) as work:
        status = await runs.advance(
            work.session,
            work.notifier,
            work.tenant_id,
            uuid.UUID(run_id),
            uuid.UUID(job_id),
            network=work.network,
        )
    ADVANCES.labels(status.value if status is not None else "skipped").inc()
