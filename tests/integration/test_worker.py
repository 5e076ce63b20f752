"""The worker consumes real Dramatiq messages from Redis."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth.revocation import revoke
from orchestrator.core.models import RevokedToken
from orchestrator.core.settings import CoreSettings
from tests.support.maintenance import purge_expired_revocations_now
from tests.support.stack import Stack, start_service, wait_ready


async def test_retention_actor_purges_only_expired_revocations(
    stack: Stack,
    settings: CoreSettings,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = dt.datetime.now(dt.UTC)
    expired, live = f"expired-{uuid.uuid4().hex}", f"live-{uuid.uuid4().hex}"
    async with owner_sessions() as session, session.begin():
        for jti, expires_at in (
            (expired, now - dt.timedelta(minutes=5)),
            (live, now + dt.timedelta(hours=1)),
        ):
            await revoke(
                session,
                jti=jti,
                subject="svc:test",
                expires_at=int(expires_at.timestamp()),
                revoked_by="test",
                reason="retention test",
            )
    purge_expired_revocations_now(settings.redis)

    async def remaining(jti: str) -> int:
        async with owner_sessions() as session:
            count = await session.scalar(select(func.count()).where(RevokedToken.jti == jti))
            return int(count or 0)

    for _ in range(100):
        if await remaining(expired) == 0:
            break
        await asyncio.sleep(0.1)
    assert await remaining(expired) == 0, stack.services["worker"].log()
    assert await remaining(live) == 1


async def test_worker_serves_probes_and_metrics(stack: Stack) -> None:
    async with httpx.AsyncClient() as client:
        base = stack.url("worker")
        assert (await client.get(f"{base}/health")).status_code == 200
        ready = await client.get(f"{base}/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "database": True, "redis": True}
        assert (await client.get(f"{base}/metrics")).status_code == 200
        missing = await client.get(f"{base}/nope")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


def test_a_stopped_worker_closes_what_its_actors_opened_and_exits_cleanly(
    stack: Stack, service_env: dict[str, str]
) -> None:
    # A worker of its own (its own queues): at start it sends itself the retention
    # messages, whose actors open the worker's database resources on its event loop.
    env = service_env | {"ORCH_REDIS_NAMESPACE": f"stop-{uuid.uuid4().hex[:8]}"}
    worker = start_service("worker-stop", "orchestrator.worker", env)
    try:
        wait_ready(worker)
        # Stopped only once maintenance is done: a stopping worker lets a running message
        # finish, and on a loaded machine this session's database (a workspace of 100,000
        # jobs among others) takes maintenance past stop()'s 10 s before SIGKILL.
        deadline = time.monotonic() + 90
        while "jobs maintenance:" not in worker.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "jobs maintenance:" in worker.log(), worker.log()
    finally:
        worker.stop()
    log = worker.log()
    assert worker.process.returncode == 0, log
    assert "Event loop is not running" not in log
    assert "Traceback" not in log
