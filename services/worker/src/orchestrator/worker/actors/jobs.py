"""The ``run_jobs`` actor: claim (CAS), run one attempt each, finish (CAS). Ids only.

A redelivered or duplicate message is harmless: claiming a finished job, or one
another worker holds, changes nothing; finishing an attempt that lost its lease
changes nothing either.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

from loguru import logger
from prometheus_client import Counter

from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.claim_queries import ClaimedJob
from orchestrator.core.jobs.claiming import settle_unclaimed, unclaimed
from orchestrator.core.jobs.finishing import Attempted
from orchestrator.core.jobs.states import JobStatus
from orchestrator.core.jobs.stored_values import put_output
from orchestrator.worker.actors.attempt import execute_job_attempt
from orchestrator.worker.actors.dlq_status import tell_dead
from orchestrator.worker.actors.job_context import JobResources, job_resources

JOB_OUTCOMES = Counter(
    "orchestrator_job_attempts_total", "Job attempts by the status they left the job in", ["status"]
)

GATHER_S = 0.002
"""How long a finished attempt waits for others of its batch to finish with it."""

Execute = Callable[[JobResources, ClaimedJob], Awaitable[tuple[AttemptResult, float | None]]]


async def _attempt(resources: JobResources, job: ClaimedJob, execute: Execute) -> Attempted:
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
    # An output past the threshold goes to the payload store here, one job at a time,
    # before the batch's finishing statement (which no store call should hold up).
    stored = await put_output(job.tenant_id, job.id, result.output)
    return Attempted(job, result, delay_s, stored_output=stored)


async def run_jobs_once(
    resources: JobResources,
    tenant_id: uuid.UUID,
    job_ids: Sequence[uuid.UUID],
    execute: Execute,
) -> dict[uuid.UUID, str]:
    """Claim what can run of ``job_ids`` (one statement), attempt them concurrently under
    kept leases, and finish them as they end; what happened to each job (for logs and
    tests)."""
    outcomes = dict.fromkeys(job_ids, "skipped")
    claimed = await resources.attempts.claim(tenant_id, job_ids)
    if missed := unclaimed(job_ids, claimed):
        async with tenant_transaction(resources.sessions, tenant_id) as session:
            await settle_unclaimed(session, resources.waker, tenant_id, missed)
    attempts: dict[asyncio.Future[Attempted], ClaimedJob] = {
        asyncio.ensure_future(_attempt(resources, job, execute)): job for job in claimed
    }
    for attempt, job in attempts.items():
        resources.leases.hold(job, attempt)
    try:
        await _finish_as_they_end(resources, tenant_id, attempts, outcomes)
    finally:
        for job in claimed:
            resources.leases.release(job.id)
    return outcomes


async def _finish_as_they_end(
    resources: JobResources,
    tenant_id: uuid.UUID,
    attempts: dict[asyncio.Future[Attempted], ClaimedJob],
    outcomes: dict[uuid.UUID, str],
) -> None:
    """Record the attempts' ends as they come, each group that ended together in one
    statement; a job's lease is kept until its end is recorded."""
    running = set(attempts)
    while running:
        # Attempts that end while one group is being written, or within GATHER_S of the
        # first, form the next group: one transaction for all of them.
        ended, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        if running:
            more, running = await asyncio.wait(running, timeout=GATHER_S)
            ended |= more
        for fenced in (task for task in ended if task.cancelled()):
            outcomes[attempts[fenced].id] = "lost"  # its lease was lost (lease_keeper.py)
        attempted = [task.result() for task in ended if not task.cancelled()]
        finished = await resources.attempts.finish(tenant_id, attempted) if attempted else {}
        if dead := sum(1 for done in finished.values() if done.status is JobStatus.DEAD):
            await tell_dead(resources, tenant_id, dead)
        for attempt in attempted:
            job = attempt.job
            resources.leases.release(job.id)
            done = finished.get(job.id)
            if done is None:
                logger.warning(
                    "job {} attempt {} lost its lease before finishing", job.id, job.attempt
                )
                outcomes[job.id] = "lost"
            else:
                JOB_OUTCOMES.labels(done.status.value).inc()
                outcomes[job.id] = done.status.value


async def run_job_once(
    resources: JobResources, tenant_id: uuid.UUID, job_id: uuid.UUID, execute: Execute
) -> str:
    """``run_jobs_once`` for one job."""
    return (await run_jobs_once(resources, tenant_id, [job_id], execute))[job_id]


async def run_jobs(tenant_id: str, job_ids: list[str]) -> None:
    """Actor: run one attempt of each of a workspace's jobs (ids only)."""
    await run_jobs_once(
        await job_resources(),
        uuid.UUID(tenant_id),
        [uuid.UUID(job_id) for job_id in job_ids],
        execute_job_attempt,
    )


async def run_job(tenant_id: str, job_id: str) -> None:
    """Actor: run one attempt of a job (ids only); messages published before ``run_jobs``."""
    await run_jobs(tenant_id, [job_id])
