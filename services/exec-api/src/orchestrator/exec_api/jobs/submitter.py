"""Single job submissions, group-committed: concurrent ones share a transaction.

A submission is answered ``202`` only after its transaction committed; under load
one commit serves every submission that arrived while the previous group was
being written (``core/db/group_commit.py``). Submissions with an
``Idempotency-Key`` do not come here: their stored response commits with the job.

A workspace whose quota sets no queue depth (the common case) has nothing to count
before inserting, so its jobs go in one statement a group on the submitter's own
autocommit connection: one round trip, where a session's ``BEGIN``, ``set_tenant``,
insert and ``COMMIT`` took four and most of a millisecond of CPU. A workspace with a
queue depth is counted and inserted in one session transaction, as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.autocommit import AutocommitConnection, Connection
from orchestrator.core.db.group_commit import GroupCommit, Grouped, per_workspace
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import Problem
from orchestrator.core.events.wake import Notifier
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.jobs.submission import (
    NewJob,
    SubmittedJob,
    stored_apart,
    submit_many,
    submit_planned,
    unbounded,
)
from orchestrator.core.payloads.process import payload_store


@dataclass(frozen=True, slots=True)
class Submission:
    """One caller's job, already through ``check_new_job``, with its connector's
    plan."""

    tenant_id: uuid.UUID
    job: NewJob
    plan: ConnectorPlan


class JobSubmitter:
    """Queues single jobs through one group committer per process."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        connection: AutocommitConnection,
        notifier: Notifier,
    ) -> None:
        self._notifier = notifier
        self._connection = connection
        self._group: GroupCommit[Submission, SubmittedJob] = GroupCommit(sessions, self._write)
        self._plain: Grouped[Connection, Submission, SubmittedJob] = Grouped(
            connection.use, self._write_plain
        )

    async def submit(self, submission: Submission) -> SubmittedJob:
        """Queue the job; its id once committed (422/429 as ``submit_many``, 503 if its
        payload passes the threshold and the payload store does not take it)."""
        # A large payload is put before the job joins a group, so no group waits on the
        # payload store for another caller's payload.
        if payload_store() is not None:
            [job] = await stored_apart(submission.tenant_id, [submission.job])
            submission = replace(submission, job=job)
        if unbounded(submission.plan):
            return await self._plain.submit(submission)
        return await self._group.submit(submission)

    async def close(self) -> None:
        """Close the autocommit connection (at shutdown)."""
        await self._connection.close()

    async def _write_plain(
        self, connection: Connection, group: Sequence[Submission]
    ) -> list[SubmittedJob | BaseException]:
        async def write(tenant_id: uuid.UUID, subs: list[Submission]) -> list[SubmittedJob]:
            jobs, plans = [s.job for s in subs], [s.plan for s in subs]
            return await submit_planned(connection, self._notifier, tenant_id, jobs, plans=plans)

        # Each workspace's statement is its own transaction: one that fails leaves the
        # others committed.
        return await per_workspace(group, _workspace, write, Exception)

    async def _write(
        self, session: AsyncSession, group: Sequence[Submission]
    ) -> list[SubmittedJob | BaseException]:
        async def write(tenant_id: uuid.UUID, subs: list[Submission]) -> list[SubmittedJob]:
            # Row-level security follows the tenant set last in this transaction.
            await set_tenant(session, tenant_id)
            jobs, plans = [s.job for s in subs], [s.plan for s in subs]
            return await submit_many(session, self._notifier, tenant_id, jobs, plans=plans)

        # A workspace's quota refuses its jobs only, having written nothing.
        return await per_workspace(group, _workspace, write, Problem)


def _workspace(submission: Submission) -> uuid.UUID:
    return submission.tenant_id
