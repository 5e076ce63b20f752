"""Support for the durability tests: a job plane of its own (exec-api, worker, Redis) on an
isolated database, jobs submitted over HTTP, and their fate read back from the database."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.policy.model import PolicySpec
from tests.support.execution import ORDER_SCHEMA
from tests.support.jobs import add_connector


async def add_charge_connector(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    base_url: str,
    spec: PolicySpec,
    name: str = "charges",
) -> str:
    """A connector with one operation, ``charge`` (POST /charges/{id}), under ``spec``."""
    operation = {"method": "POST", "path": "/charges/{id}", "payload_schema": ORDER_SCHEMA}
    config = {"base_url": base_url, "operations": {"charge": operation}}
    return await add_connector(sessions, tenant_id, name, config=config, spec=spec)


async def submit_jobs(
    exec_url: str, token: str, connector: str, count: int, *, concurrency: int = 64
) -> list[uuid.UUID]:
    """``POST /api/v1/jobs`` ``count`` times, ``concurrency`` at once; the accepted ids.

    Every request must be answered 202: anything else fails the test at once.
    """
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"{exec_url}/api/v1/jobs",
                    json={
                        "connector": connector,
                        "operation": "charge",
                        "payload": {"id": f"o-{i}", "amount": i + 1},
                    },
                    headers=headers,
                )
                for i in range(count)
            )
        )
    refused = [r for r in responses if r.status_code != 202]
    assert not refused, f"{len(refused)} refused, e.g. {refused[0].status_code}: {refused[0].text}"
    return [uuid.UUID(r.json()["id"]) for r in responses]


async def status_counts(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> Counter[str]:
    """How many of the tenant's jobs are in each status."""
    async with tenant_transaction(sessions, tenant_id) as session:
        rows = (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()
    return Counter({str(status.value): int(count) for status, count in rows})


async def run_outcomes(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> Counter[str]:
    """How the tenant's attempts (``job_runs``) ended: succeeded, lost, … (None: unfinished)."""
    async with tenant_transaction(sessions, tenant_id) as session:
        rows = (
            await session.execute(select(JobRun.outcome, func.count()).group_by(JobRun.outcome))
        ).all()
    return Counter({str(outcome): int(count) for outcome, count in rows})


async def until(
    check: Callable[[], Awaitable[bool]], *, timeout_s: float, every_s: float = 0.1
) -> bool:
    """Poll ``check`` until it holds or ``timeout_s`` passes; whether it held."""
    deadline = time.monotonic() + timeout_s
    while True:
        if await check():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(every_s)


async def upstream_stats(url: str) -> dict[str, Any]:
    """The counters of an upstream process (``GET /__upstream/stats``)."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{url}/__upstream/stats")
    response.raise_for_status()
    stats: dict[str, Any] = response.json()
    return stats


async def program_upstream(
    url: str, behaviour: Mapping[str, Any], path: str = "*", times: int | None = None
) -> None:
    """Answer requests to ``path`` of an upstream process with ``behaviour``: the next
    ``times`` of them, or every one from now on."""
    program: dict[str, Any] = {"path": path, "behaviour": dict(behaviour)}
    if times is not None:
        program["times"] = times
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(f"{url}/__upstream/program", json=program)
    response.raise_for_status()
