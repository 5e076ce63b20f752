"""The lease keeper renews what runs and cancels what it lost (ADR 0081), without a database."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Sequence

from orchestrator.core.jobs.claim_queries import ClaimedJob
from orchestrator.core.jobs.lease_keeper import LeaseKeeper, stale

NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


def claimed(tenant_id: uuid.UUID, attempt: int = 1) -> ClaimedJob:
    return ClaimedJob(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        connector="c",
        operation="o",
        payload={},
        attempt=attempt,
        max_attempts=3,
        lease_until=NOW,
        callback_url=None,
        idempotency_key=None,
        created_at=NOW,
        reclaimed=False,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Database:
    """Renewals as the statement answers them: the jobs still held, or the database away."""

    def __init__(self) -> None:
        self.taken: set[uuid.UUID] = set()
        self.away = False
        self.asked: list[tuple[uuid.UUID, list[tuple[uuid.UUID, int]]]] = []

    async def renew(
        self, tenant_id: uuid.UUID, held: Sequence[tuple[uuid.UUID, int]]
    ) -> set[uuid.UUID]:
        self.asked.append((tenant_id, list(held)))
        if self.away:
            raise ConnectionError("database away")
        return {job_id for job_id, _ in held if job_id not in self.taken}


def test_stale_names_only_what_was_last_confirmed_longer_ago_than_the_fence() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert stale({a: 10.0, b: 13.0}, now=14.5, fence_s=4.0) == [a]
    assert stale({a: 10.0}, now=14.0, fence_s=4.0) == []


async def test_one_renewal_per_workspace_with_each_attempt_number() -> None:
    db, clock = Database(), Clock()
    keeper = LeaseKeeper(db.renew, lease_s=6, clock=clock)
    first, second = uuid.uuid4(), uuid.uuid4()
    jobs = [claimed(first, attempt=2), claimed(first), claimed(second)]
    attempts = [asyncio.get_running_loop().create_future() for _ in jobs]
    for job, attempt in zip(jobs, attempts, strict=True):
        keeper.hold(job, attempt)
    assert (keeper.every_s, keeper.fence_s) == (2.0, 4.0)
    assert await keeper.renew_once() == []
    assert sorted(db.asked, key=lambda asked: asked[0] == second) == [
        (first, [(jobs[0].id, 2), (jobs[1].id, 1)]),
        (second, [(jobs[2].id, 1)]),
    ]
    keeper.release(jobs[0].id)
    db.asked.clear()
    await keeper.renew_once()
    assert [held for _, held in db.asked] == [[(jobs[1].id, 1)], [(jobs[2].id, 1)]]
    assert not any(attempt.cancelled() for attempt in attempts)


async def test_an_attempt_whose_job_another_worker_took_is_cancelled_at_once() -> None:
    db, clock = Database(), Clock()
    keeper = LeaseKeeper(db.renew, lease_s=6, clock=clock)
    tenant = uuid.uuid4()
    kept, taken = claimed(tenant), claimed(tenant)
    kept_attempt, taken_attempt = (asyncio.get_running_loop().create_future() for _ in "ab")
    keeper.hold(kept, kept_attempt)
    keeper.hold(taken, taken_attempt)
    db.taken.add(taken.id)
    assert await keeper.renew_once() == [taken.id]
    assert taken_attempt.cancelled()
    assert not kept_attempt.cancelled()
    assert keeper.held == 1


def one_held() -> tuple[Database, Clock, LeaseKeeper, ClaimedJob, asyncio.Future[None]]:
    """A keeper (6 s leases) holding one attempt, with its database and clock."""
    db, clock = Database(), Clock()
    keeper = LeaseKeeper(db.renew, lease_s=6, clock=clock)
    job = claimed(uuid.uuid4())
    attempt: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    keeper.hold(job, attempt)
    return db, clock, keeper, job, attempt


async def test_attempts_not_renewed_for_two_thirds_of_a_lease_are_cancelled() -> None:
    db, clock, keeper, job, attempt = one_held()
    db.away = True
    clock.now += 2.0
    assert await keeper.renew_once() == []  # one renewal missed: still within the fence
    clock.now += 2.1
    assert await keeper.renew_once() == [job.id]
    assert attempt.cancelled()


async def test_a_renewal_that_succeeds_moves_the_fence() -> None:
    _, clock, keeper, _, attempt = one_held()
    for _ in range(5):  # renewed on time for 15 s, longer than the lease
        clock.now += 3.0
        assert await keeper.renew_once() == []
    assert not attempt.cancelled()


async def test_handing_back_gives_up_each_workspaces_jobs_then_stops_every_attempt() -> None:
    db, clock = Database(), Clock()
    keeper = LeaseKeeper(db.renew, lease_s=6, clock=clock)
    first, second = uuid.uuid4(), uuid.uuid4()
    jobs = [claimed(first), claimed(first, attempt=3), claimed(second)]
    attempts = [asyncio.get_running_loop().create_future() for _ in jobs]
    for job, attempt in zip(jobs, attempts, strict=True):
        keeper.hold(job, attempt)
    given_up: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = {}

    async def give_up(tenant_id: uuid.UUID, held: Sequence[tuple[uuid.UUID, int]]) -> None:
        given_up[tenant_id] = list(held)
        if tenant_id == second:
            raise ConnectionError("database away")  # its leases end by themselves

    assert await keeper.hand_back(give_up) == 3
    assert given_up == {first: [(jobs[0].id, 1), (jobs[1].id, 3)], second: [(jobs[2].id, 1)]}
    assert all(attempt.cancelled() for attempt in attempts)
    assert keeper.held == 0
