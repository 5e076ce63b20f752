"""Single job submissions, group-committed: concurrent ones share a transaction.

A submission is answered ``202`` only after its transaction committed; under load
one commit serves every submission that arrived while the previous group was
being written (``core/db/group_commit.py``). Submissions with an
``Idempotency-Key`` do not come here: their stored response commits with the job.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.group_commit import GroupCommit
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import Problem
from orchestrator.core.events.wake import Notifier
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.jobs.submission import NewJob, SubmittedJob, submit_many


@dataclass(frozen=True, slots=True)
class Submission:
    """One caller's job, already through ``check_new_job``, with its connector's
    plan."""

    tenant_id: uuid.UUID
    job: NewJob
    plan: ConnectorPlan


class JobSubmitter:
    """Queues single jobs through one group committer per process."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], notifier: Notifier) -> None:
        self._notifier = notifier
        self._group: GroupCommit[Submission, SubmittedJob] = GroupCommit(sessions, self._write)

    async def submit(self, submission: Submission) -> SubmittedJob:
        """Queue the job; its id once committed (422/429 as ``submit_many``)."""
        return await self._group.submit(submission)

    async def _write(
        self, session: AsyncSession, group: Sequence[Submission]
    ) -> list[SubmittedJob | BaseException]:
        by_tenant: dict[uuid.UUID, list[int]] = {}
        for index, submission in enumerate(group):
            by_tenant.setdefault(submission.tenant_id, []).append(index)
        results: list[SubmittedJob | BaseException] = [RuntimeError("not written")] * len(group)
        for tenant_id, indexes in by_tenant.items():
            # Row-level security follows the tenant set last in this transaction.
            await set_tenant(session, tenant_id)
            try:
                submitted = await submit_many(
                    session,
                    self._notifier,
                    tenant_id,
                    [group[i].job for i in indexes],
                    plans=[group[i].plan for i in indexes],
                )
            except Problem as refused:  # a tenant's quota: its jobs only, nothing written
                for i in indexes:
                    results[i] = refused
                continue
            for i, job in zip(indexes, submitted, strict=True):
                results[i] = job
        return results
