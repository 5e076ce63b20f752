"""The ``run_job`` actor: claim (CAS), run one attempt, finish (CAS). Ids only.

A redelivered or duplicate message is harmless: claiming a finished job, or one
another worker holds, changes nothing; finishing an attempt that lost its lease
changes nothing either.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from loguru import logger
from prometheus_client import Counter

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs import service
from orchestrator.core.jobs.repository import ClaimedJob
from orchestrator.core.jobs.results import AttemptResult
from orchestrator.worker.actors.attempt import execute_job_attempt
from orchestrator.worker.actors.job_context import JobResources, job_resources

JOB_OUTCOMES = Counter(
    "orchestrator_job_attempts_total", "Job attempts by the status they left the job in", ["status"]
)

Execute = Callable[[JobResources, ClaimedJob], Awaitable[tuple[AttemptResult, float | None]]]


async def run_job_once(
    resources: JobResources, tenant_id: uuid.UUID, job_id: uuid.UUID, execute: Execute
) -> str:
    """Claim, attempt and finish one job; what happened (for logs and tests)."""
    lease_s = resources.settings.jobs.lease_s
    async with tenant_transaction(resources.sessions, tenant_id) as session:
        job = await service.claim(session, resources.waker, tenant_id, job_id, lease_s=lease_s)
    if job is None:
        return "skipped"
    started = time.perf_counter()
    try:
        result, delay_s = await execute(resources, job)
    except Exception as exc:  # a bug in the attempt: record it as a retryable failure
        logger.opt(exception=exc).error("job {} attempt {} crashed", job.id, job.attempt)
        result = AttemptResult(
            outcome="retryable",
            error=f"internal error during the attempt: {type(exc).__name__}",
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        delay_s = None
    async with tenant_transaction(resources.sessions, tenant_id) as session:
        finished = await service.finish(session, resources.waker, job, result, delay_s)
    if finished is None:
        logger.warning("job {} attempt {} lost its lease before finishing", job.id, job.attempt)
        return "lost"
    JOB_OUTCOMES.labels(finished.status.value).inc()
    return finished.status.value


async def run_job(tenant_id: str, job_id: str) -> None:
    """Actor: run one attempt of a job (ids only)."""
    await run_job_once(
        await job_resources(), uuid.UUID(tenant_id), uuid.UUID(job_id), execute_job_attempt
    )
