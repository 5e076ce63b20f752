"""Business rules of claiming jobs for an attempt, as the worker's actors do. Never commits.

Most messages find their job claimable and cost one statement for the whole batch (the
worker runs it on its autocommit connection, ``attempt_writer.py``); the rest (duplicates,
redeliveries, jobs of a lost worker) are looked at one by one in a session, since a job
held by a live lease must be looked at again when the lease ends and a lost worker's last
attempt must end the job.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.autocommit import driver_connection
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.jobs.claim_queries import ClaimedJob, claim_many, job_state
from orchestrator.core.jobs.finish_queries import bury_lost
from orchestrator.core.jobs.notices import queue_run, tell_events
from orchestrator.core.jobs.states import TERMINAL, JobStatus

RECHECK_MARGIN = dt.timedelta(seconds=0.2)
"""A look at a held job comes this long after its lease ends."""


async def claim(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    lease_s: float,
) -> ClaimedJob | None:
    """``claim_batch`` for one job."""
    claimed = await claim_batch(session, notifier, tenant_id, [job_id], lease_s=lease_s)
    return claimed[0] if claimed else None


async def claim_batch(
    session: AsyncSession,
    notifier: Notifier,
    tenant_id: uuid.UUID,
    job_ids: Sequence[uuid.UUID],
    *,
    lease_s: float,
) -> list[ClaimedJob]:
    """Take the jobs of ``job_ids`` that can run now, each for one attempt (CAS).

    A message for a finished, cancelled or not-yet-due job is dropped. One for a
    job held by a live lease (a duplicate, or a worker that may yet die) leaves a
    ``run_job`` due when the lease ends, so a lost worker's job is taken over then.
    A lost worker's last attempt makes the job ``dead``.
    """
    connection = await driver_connection(session)
    claimed = await claim_many(connection, tenant_id, job_ids, lease_s=lease_s)
    if claimed:
        tell_events(session, notifier, tenant_id)
    await settle_unclaimed(session, notifier, tenant_id, unclaimed(job_ids, claimed))
    return claimed


def unclaimed(job_ids: Sequence[uuid.UUID], claimed: Sequence[ClaimedJob]) -> list[uuid.UUID]:
    """The ids of ``job_ids`` that the claim did not take."""
    taken = {job.id for job in claimed}
    return [job_id for job_id in job_ids if job_id not in taken]


async def settle_unclaimed(
    session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID, job_ids: Sequence[uuid.UUID]
) -> None:
    """What messages whose job was not claimable leave behind (rare: a duplicate, a
    redelivery or a lost worker's job), in ``session``, scoped to ``tenant_id``."""
    for job_id in job_ids:
        await _not_claimed(session, notifier, tenant_id, job_id)


async def _not_claimed(
    session: AsyncSession, notifier: Notifier, tenant_id: uuid.UUID, job_id: uuid.UUID
) -> None:
    state = await job_state(session, job_id)
    if state is None or state.status in TERMINAL or state.status is JobStatus.QUEUED:
        return
    assert state.lease_until is not None
    if not state.lease_expired or state.attempts < state.max_attempts:
        # Held by a live lease: look again when it ends. Or the lease ended between the
        # claim and this read (each has its own now()), with attempts left: look again now,
        # when the claim takes the job over. Either way nothing else would dispatch it.
        await queue_run(session, notifier, tenant_id, job_id, state.lease_until + RECHECK_MARGIN)
        return
    buried = await bury_lost(session, job_id)
    if buried is not None:
        tell_events(session, notifier, tenant_id)
        if buried.outbox_written:
            after_commit(session, notifier.outbox_written)
