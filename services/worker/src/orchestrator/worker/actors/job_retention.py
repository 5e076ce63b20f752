"""Retention and the safety-net sweep of jobs, outbox, events, idempotency keys and the
webhook inbox."""

from __future__ import annotations

import datetime as dt

from loguru import logger

from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.maintenance.workflow_sweep import sweep_stuck_runs
from orchestrator.worker.actors.job_context import job_resources

JOBS_MAINTENANCE = "jobs_maintenance"


async def jobs_maintenance() -> None:
    """Purge expired idempotency keys, old published outbox rows, events, finished jobs,
    ended workflow runs, webhook inbox rows, configuration versions and channel counters; re-dispatch stuck jobs and runs. Idempotent, so several replicas may run it."""
    resources = await job_resources()
    jobs = resources.settings.jobs
    keys = await maintenance.purge_idempotency_keys(resources.sessions)
    rows = await maintenance.purge_published_outbox(
        resources.sessions, keep=dt.timedelta(seconds=jobs.outbox_keep_s)
    )
    events = await maintenance.purge_events(
        resources.sessions, keep=dt.timedelta(seconds=jobs.events_keep_s)
    )
    finished_keep = dt.timedelta(seconds=jobs.finished_jobs_keep_s)
    finished = await maintenance.purge_finished_jobs(resources.sessions, keep=finished_keep)
    ended_runs = await maintenance.purge_workflow_runs(resources.sessions, keep=finished_keep)
    webhooks = await maintenance.purge_webhook_inbox(
        resources.sessions, keep=dt.timedelta(seconds=jobs.webhook_inbox_keep_s)
    )
    old_versions = await maintenance.purge_versions(
        resources.sessions,
        keep=jobs.versions_keep,
        keep_age=dt.timedelta(seconds=jobs.versions_keep_s),
    )
    counters = await maintenance.purge_channel_counters(
        resources.sessions, keep_days=resources.settings.core.channel.keep_days
    )
    stuck = await maintenance.sweep_overdue_jobs(
        resources.sessions, resources.waker, grace_s=jobs.sweep_grace_s
    )
    runs = await sweep_stuck_runs(resources.sessions, resources.waker, grace_s=jobs.sweep_grace_s)
    logger.info(
        "jobs maintenance: {} expired keys, {} outbox rows, {} events, {} finished jobs, {} "
        "ended workflow runs, {} webhook inbox rows, {} configuration versions and {} channel counters purged, {} "
        "stuck jobs re-dispatched, {} stuck workflow runs advanced",
        keys,
        rows,
        events,
        finished,
        ended_runs,
        webhooks,
        old_versions,
        counters,
        stuck,
        runs,
    )
