"""The ``advance_workflow`` actor: move a workflow run on after one of its jobs ended
(ADR 0050). Ids only; idempotent (a redelivery finds the run no longer waiting)."""

from __future__ import annotations

import uuid

from prometheus_client import Counter

from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.workflows import runs
from orchestrator.worker.actors.job_context import job_resources

ADVANCES = Counter(
    "orchestrator_workflow_advances_total",
    "advance_workflow messages, by the status they left the run in (skipped: the run was "
    "not waiting for that job, a redelivery)",
    ["status"],
)


async def advance_workflow(tenant_id: str, run_id: str, job_id: str) -> None:
    """Actor: record the ended job on its run and queue what follows."""
    resources = await job_resources()
    status = await runs.advance(
        resources.sessions,
        resources.waker,
        uuid.UUID(tenant_id),
        uuid.UUID(run_id),
        uuid.UUID(job_id),
        network=NetworkPolicy.from_settings(resources.settings.core.upstream),
    )
    ADVANCES.labels(status.value if status is not None else "skipped").inc()
