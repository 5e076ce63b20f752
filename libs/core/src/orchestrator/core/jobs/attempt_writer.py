"""The worker's claims and finishes on one autocommit connection, concurrent ones grouped.

In a session each claim and each finish cost a ``BEGIN``, a ``set_config``, the statement
and a ``COMMIT``, and most of a millisecond of Python: ten times what the same job costs
inside a burst, where one transaction serves many jobs. Here each is the statement alone,
scoped to its workspace in the same round trip (``scoped_rows``) and committed by itself;
the claims (or finishes) of actors that arrive while the connection is busy share one
statement per workspace (``Grouped``). A workspace's statement that fails fails its
callers alone, who have written nothing (their messages are retried, as when a session
failed); the other workspaces' statements stand.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.core.db.autocommit import AutocommitConnection, Connection
from orchestrator.core.db.group_commit import Grouped, per_workspace
from orchestrator.core.events.wake import Notifier
from orchestrator.core.jobs.claim_queries import ClaimedJob, claim_many
from orchestrator.core.jobs.finish_queries import AttemptEnd, Finished, finish_attempts
from orchestrator.core.jobs.finishing import Attempted, attempt_end
from orchestrator.core.jobs.lease_queries import renew_leases


@dataclass(frozen=True, slots=True)
class _Claim:
    tenant_id: uuid.UUID
    job_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True)
class _Finish:
    tenant_id: uuid.UUID
    ends: tuple[AttemptEnd, ...]


class AttemptWriter:
    """Claims jobs for an attempt and records the attempts' ends (``claiming.py`` and
    ``finishing.py``'s hot statements), committed as they return."""

    def __init__(
        self, connection: AutocommitConnection, notifier: Notifier, *, lease_s: float
    ) -> None:
        self._connection = connection
        self._notifier = notifier
        self._lease_s = lease_s
        self._claims: Grouped[Connection, _Claim, list[ClaimedJob]] = Grouped(
            connection.use, self._claim_group
        )
        self._finishes: Grouped[Connection, _Finish, dict[uuid.UUID, Finished]] = Grouped(
            connection.use, self._finish_group
        )

    async def claim(self, tenant_id: uuid.UUID, job_ids: Sequence[uuid.UUID]) -> list[ClaimedJob]:
        """The jobs of ``job_ids`` that could be taken for an attempt (``claim_many``); a
        job asked for by two callers at once goes to one of them."""
        return await self._claims.submit(_Claim(tenant_id, tuple(job_ids)))

    async def finish(
        self, tenant_id: uuid.UUID, attempts: Sequence[Attempted]
    ) -> dict[uuid.UUID, Finished]:
        """Record the attempts' ends (``finish_batch``): what each job became, for those
        whose attempt still held them."""
        ends = tuple(attempt_end(attempt) for attempt in attempts)
        return await self._finishes.submit(_Finish(tenant_id, ends))

    async def renew(
        self, tenant_id: uuid.UUID, held: Sequence[tuple[uuid.UUID, int]]
    ) -> set[uuid.UUID]:
        """Extend the leases of ``held`` (``renew_leases``): the job ids still held."""
        async with self._connection.use() as connection:
            return await renew_leases(connection, tenant_id, held, lease_s=self._lease_s)

    async def close(self) -> None:
        """Close the connection (at shutdown)."""
        await self._connection.close()

    async def _claim_group(
        self, connection: Connection, group: Sequence[_Claim]
    ) -> list[list[ClaimedJob] | BaseException]:
        async def claim(tenant_id: uuid.UUID, claims: list[_Claim]) -> list[list[ClaimedJob]]:
            wanted = list(dict.fromkeys(job_id for c in claims for job_id in c.job_ids))
            taken = await claim_many(connection, tenant_id, wanted, lease_s=self._lease_s)
            if taken:
                self._notifier.events_appended(tenant_id)
            unsent = {job.id: job for job in taken}
            return [[unsent.pop(i) for i in c.job_ids if i in unsent] for c in claims]

        return await per_workspace(group, _workspace, claim, Exception)

    async def _finish_group(
        self, connection: Connection, group: Sequence[_Finish]
    ) -> list[dict[uuid.UUID, Finished] | BaseException]:
        async def finish(
            tenant_id: uuid.UUID, finishes: list[_Finish]
        ) -> list[dict[uuid.UUID, Finished]]:
            ends = [end for f in finishes for end in f.ends]
            done = await finish_attempts(connection, tenant_id, ends)
            if done:
                self._notifier.events_appended(tenant_id)
            if any(finished.outbox_written for finished in done.values()):
                self._notifier.outbox_written()
            return [
                {e.job_id: done[e.job_id] for e in f.ends if e.job_id in done} for f in finishes
            ]

        return await per_workspace(group, _workspace, finish, Exception)


def _workspace(item: _Claim | _Finish) -> uuid.UUID:
    return item.tenant_id
