"""Retention and the safety-net sweep of jobs, outbox and idempotency keys."""

from __future__ import annotations

import datetime as dt

from loguru import logger

from orchestrator.core.jobs import maintenance
from orchestrator.worker.actors.job_context import job_resources

JOBS_MAINTENANCE = "jobs_maintenance"


async def jobs_maintenance() -> None:
    """Purge expired idempotency keys and old published outbox rows; re-dispatch stuck
    jobs. Idempotent, so several replicas may run it."""
    resources = await job_resources()
    jobs = resources.settings.jobs
    keys = await maintenance.purge_idempotency_keys(resources.sessions)
    rows = await maintenance.purge_published_outbox(
        resources.sessions, keep=dt.timedelta(seconds=jobs.outbox_keep_s)
    )
    stuck = await maintenance.sweep_overdue_jobs(
        resources.sessions, resources.waker, grace_s=jobs.sweep_grace_s
    )
    logger.info(
        "jobs maintenance: {} expired keys and {} outbox rows purged, {} stuck jobs re-dispatched",
        keys,
        rows,
        stuck,
    )
