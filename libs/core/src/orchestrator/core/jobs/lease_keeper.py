"""The leases of the attempts one worker process runs: renewed while they run, fenced when lost.

A job's lease is short (``ORCH_JOBS_LEASE_S``, seconds), so a worker that dies without
warning gives its jobs up within seconds (ADR 0081). A live worker renews the lease of
every attempt it runs, one statement per workspace each third of a lease. An attempt is
cancelled (fenced) when a renewal no longer finds its job held, because another worker
took it, or when this process has not managed to renew it for two thirds of a lease (the
database away from this worker while others may reach it): so two attempts of one job do
not run at once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loguru import logger

from orchestrator.core.background import cancel_quietly
from orchestrator.core.jobs.claim_queries import ClaimedJob

Renew = Callable[[uuid.UUID, Sequence[tuple[uuid.UUID, int]]], Awaitable[set[uuid.UUID]]]
"""Renew a workspace's ``(job id, attempt)`` leases; the ids still held."""
GiveUp = Callable[[uuid.UUID, Sequence[tuple[uuid.UUID, int]]], Awaitable[object]]
"""Hand a workspace's ``(job id, attempt)`` jobs back for another worker to take."""


def stale(confirmed_at: Mapping[uuid.UUID, float], now: float, fence_s: float) -> list[uuid.UUID]:
    """The jobs whose lease was last known held more than ``fence_s`` before ``now``."""
    return [job_id for job_id, at in confirmed_at.items() if now - at > fence_s]


@dataclass(slots=True)
class _Held:
    job: ClaimedJob
    attempt: asyncio.Future[Any]
    confirmed_at: float
    """When (``time.monotonic``) the job was last known to be held by this attempt."""


def _pairs(group: Sequence[_Held]) -> list[tuple[uuid.UUID, int]]:
    return [(held.job.id, held.job.attempt) for held in group]


class LeaseKeeper:
    """Renews the leases of the attempts this process runs; cancels the ones it lost."""

    def __init__(
        self, renew: Renew, *, lease_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._renew = renew
        self._clock = clock
        self.every_s = lease_s / 3
        self.fence_s = lease_s * 2 / 3
        self._held: dict[uuid.UUID, _Held] = {}
        self._task: asyncio.Task[None] | None = None

    def hold(self, job: ClaimedJob, attempt: asyncio.Future[Any]) -> None:
        """Keep ``job``'s lease while ``attempt`` runs (just claimed: held now)."""
        self._held[job.id] = _Held(job, attempt, self._clock())

    def release(self, job_id: uuid.UUID) -> None:
        """Stop keeping ``job_id``'s lease (its attempt ended)."""
        self._held.pop(job_id, None)

    @property
    def held(self) -> int:
        """How many attempts' leases are kept."""
        return len(self._held)

    async def renew_once(self) -> list[uuid.UUID]:
        """Renew every held lease; cancel and return the attempts that lost theirs."""
        lost: list[uuid.UUID] = []
        for tenant_id, group in self._by_tenant().items():
            asked_at = self._clock()
            try:
                kept = await self._renew(tenant_id, _pairs(group))
            except Exception as exc:  # the database away: the fence below decides
                logger.warning("job leases of workspace {} not renewed: {!r}", tenant_id, exc)
                continue
            for held in group:
                if held.job.id in kept:
                    held.confirmed_at = asked_at
                else:
                    lost.append(held.job.id)
        confirmed = {job_id: held.confirmed_at for job_id, held in self._held.items()}
        lost += stale(confirmed, self._clock(), self.fence_s)
        for job_id in dict.fromkeys(lost):
            fenced = self._held.pop(job_id, None)
            if fenced is not None:
                logger.warning(
                    "job {} attempt {} lost its lease: cancelled", job_id, fenced.job.attempt
                )
                fenced.attempt.cancel()
        return lost

    async def hand_back(self, give_up: GiveUp) -> int:
        """Stop every held attempt, its job first handed back with ``give_up`` (a worker
        stopping); how many attempts were stopped."""
        await self.stop()
        for tenant_id, group in self._by_tenant().items():
            try:
                await give_up(tenant_id, _pairs(group))
            except Exception as exc:  # their leases end by themselves, a lease later
                logger.warning("jobs of workspace {} not handed back: {!r}", tenant_id, exc)
        stopped = list(self._held.values())
        self._held.clear()
        for held in stopped:
            held.attempt.cancel()
        return len(stopped)

    def start(self) -> None:
        """Renew in the background of the running event loop until ``stop``."""
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop renewing (at shutdown)."""
        await cancel_quietly(self._task)
        self._task = None

    def _by_tenant(self) -> dict[uuid.UUID, list[_Held]]:
        by_tenant: dict[uuid.UUID, list[_Held]] = defaultdict(list)
        for held in self._held.values():
            by_tenant[held.job.tenant_id].append(held)
        return by_tenant

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            if not self._held:
                continue
            try:
                await self.renew_once()
            except Exception as exc:  # a bug here must not end renewal for good
                logger.opt(exception=exc).error("job lease renewal failed")
