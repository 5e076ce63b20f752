"""What the job and callback actors share, opened lazily in Dramatiq's event loop."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.callbacks.delivery import CallbackPolicy, Sender
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.db.tenant_reads import reads_connection
from orchestrator.core.events.wake import Waker
from orchestrator.core.execution.runtime import ExecutionRuntime, open_execution
from orchestrator.core.jobs.attempt_writer import AttemptWriter
from orchestrator.core.jobs.hand_back import hand_back
from orchestrator.core.jobs.lease_keeper import LeaseKeeper
from orchestrator.core.notify import Subscriber, config_channel
from orchestrator.core.secrets.keyring import KeyRing, keyring_from
from orchestrator.core.upstream.client import UpstreamClient
from orchestrator.worker.context import Lazy, worker_context
from orchestrator.worker.settings import Settings, get_settings


@dataclass
class JobResources:
    """Per-process resources of the job plane in the worker."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    waker: Waker
    upstream: UpstreamClient
    keys: KeyRing | None
    """The KEK ring, to open callback-signing secrets; None when ``ORCH_KEK`` is unset."""
    execution: ExecutionRuntime
    """Runs job attempts under their policies (shares ``upstream``'s pool)."""
    notices: Subscriber
    """Drops a workspace's cached plans when its configuration changes (its quota too)."""
    attempts: AttemptWriter
    """Claims jobs and records their attempts' ends on the process's autocommit connection."""
    leases: LeaseKeeper
    """Keeps the leases of the attempts running here (``attempts.renew``), fences lost ones."""

    def sender(self) -> Sender:
        """What signed deliveries (callbacks, webhook forwards) need; refused while
        ``ORCH_KEK`` is unset, since no signing secret can be opened."""
        if self.keys is None:
            raise RuntimeError("ORCH_KEK is not set: signing secrets cannot be opened")
        return Sender(self.sessions, self.waker, self.keys, self.upstream)

    def delivery_policy(self) -> CallbackPolicy:
        """How often a signed delivery is tried (``ORCH_JOBS_CALLBACK_MAX_ATTEMPTS``)."""
        return CallbackPolicy(max_attempts=self.settings.jobs.callback_max_attempts)

    async def close(self) -> None:
        """Flush pending wake-ups and close connections."""
        await self.notices.stop()
        await self.leases.stop()
        await self.attempts.close()
        await self.waker.drain()
        await self.execution.close()
        await self.redis.aclose()


async def _open_resources() -> JobResources:
    settings = get_settings()
    core = settings.core
    redis = Redis.from_url(core.redis.require_url(), **core.redis.client_options())
    sessions = (await worker_context()).sessions
    execution = open_execution(core, sessions, redis)
    notices = Subscriber(redis, {config_channel(core.redis.namespace): execution.on_config_change})
    notices.start()
    waker = Waker(redis, core.redis.namespace)
    attempts = AttemptWriter(reads_connection(core.db), waker, lease_s=settings.jobs.lease_s)
    leases = LeaseKeeper(attempts.renew, lease_s=settings.jobs.lease_s)
    leases.start()
    return JobResources(
        settings=settings,
        sessions=sessions,
        redis=redis,
        waker=waker,
        upstream=execution.client,
        keys=keyring_from(core.crypto) if core.crypto.kek else None,
        execution=execution,
        notices=notices,
        attempts=attempts,
        leases=leases,
    )


_resources = Lazy(_open_resources, JobResources.close)
job_resources = _resources.get
"""The process's job resources, created on first use in the actors' event loop."""
close_job_resources = _resources.close
"""Release the job resources on shutdown."""


async def hand_back_jobs() -> int:
    """Stop the attempts still running, their jobs handed back for another worker to take
    at once (a worker out of time to stop); how many were stopped."""
    if not _resources.opened:
        return 0
    resources = await job_resources()

    async def give_up(tenant_id: uuid.UUID, held: Sequence[tuple[uuid.UUID, int]]) -> None:
        async with tenant_transaction(resources.sessions, tenant_id) as session:
            await hand_back(session, resources.waker, tenant_id, held)

    return await resources.leases.hand_back(give_up)
