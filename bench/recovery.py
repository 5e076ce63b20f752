"""Recovery from a dead worker: SIGKILL one of two workers during a burst of jobs.

``RECOVERY_JOBS`` jobs whose upstream call takes ``RECOVERY_DELAY_MS`` are submitted to two
worker processes; once some hundreds are done and the doomed worker holds attempts in
flight, it is killed (SIGKILL, as an OOM kill or a lost node would). The figures come from
the database: an interrupted attempt is a ``lost`` run, and the recovery time of its job
is the kill to the start of the job's next attempt on the surviving worker. The upstream
counts calls per ``Idempotency-Key`` (each job's id), so it shows the side effects an
upstream deduplicating on it applied: one per job is the goal (issue 15, ADR 0081).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

import aiohttp
import msgspec
import psycopg
from tests.support.stack import Service

from bench.jobs import ExecPlane, in_tenant, submit, wait_terminal
from bench.scratch import Scratch, start_ready

JOBS = int(os.environ.get("BENCH_RECOVERY_JOBS", "1000"))
DELAY_MS = float(os.environ.get("BENCH_RECOVERY_DELAY_MS", "200"))
TARGET_S = 10.0


def _counts(dsn: str, tenant_id: uuid.UUID, ids: list[str]) -> dict[str, int]:
    with psycopg.connect(dsn) as conn, conn.transaction():
        in_tenant(conn, tenant_id)
        rows = conn.execute(
            "SELECT status, count(*) FROM jobs WHERE id = ANY(%s::uuid[]) GROUP BY status", (ids,)
        ).fetchall()
    return {str(status): int(count) for status, count in rows}


def _now(dsn: str) -> Any:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return row[0]


def _recoveries(dsn: str, tenant_id: uuid.UUID, ids: list[str], killed_at: Any) -> list[float]:
    """For each job with a lost attempt, seconds from the kill to its next attempt's start."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        in_tenant(conn, tenant_id)
        rows = conn.execute(
            """
            SELECT extract(epoch FROM next.started_at - %(killed)s)
            FROM job_runs lost
            JOIN job_runs next ON next.job_id = lost.job_id AND next.attempt = lost.attempt + 1
            WHERE lost.job_id = ANY(%(ids)s::uuid[]) AND lost.outcome = 'lost'
            ORDER BY 1
            """,
            {"ids": ids, "killed": killed_at},
        ).fetchall()
    return [float(seconds) for (seconds,) in rows]


async def _kill_when_busy(
    dsn: str, tenant_id: uuid.UUID, victim: Service, ids: list[str], began: float
) -> tuple[Any, float]:
    """SIGKILL ``victim`` once a third of the jobs are done and attempts are in flight."""
    while True:
        counts = await asyncio.to_thread(_counts, dsn, tenant_id, ids) if ids else {}
        if counts.get("succeeded", 0) >= JOBS // 3 and counts.get("running", 0) >= 8:
            victim.kill()
            return await asyncio.to_thread(_now, dsn), time.monotonic() - began
        await asyncio.sleep(0.02)


async def run(scratch: Scratch, plane: ExecPlane) -> list[str]:
    """Measure and return the printed section (any worker already running is stopped)."""
    for service in plane.services:
        if service.module == "orchestrator.worker":
            service.stop()
    doomed, survivor = (
        start_ready(name, "orchestrator.worker", scratch.env, "ORCH_WORKER_PORT")
        for name in ("worker-doomed", "worker-survivor")
    )
    plane.services.extend((doomed, survivor))
    dsn, tenant_id = scratch.owner_dsn, scratch.tenant.tenant_id
    job = plane.job
    async with aiohttp.ClientSession(headers=plane.headers) as http:
        async with http.post(f"{plane.upstream_url}/__upstream/reset") as answer:
            answer.raise_for_status()
        program = {"path": "*", "behaviour": {"status": 200, "delay_ms": DELAY_MS}}
        async with http.post(f"{plane.upstream_url}/__upstream/program", json=program) as answer:
            answer.raise_for_status()
        began = time.monotonic()
        ids: list[str] = []

        async def submit_all() -> None:
            ids.extend((await submit(http, f"{plane.exec_url}/api/v1/jobs", job, JOBS, 16)).ids)

        submission = asyncio.create_task(submit_all())
        killed_at, killed_s = await _kill_when_busy(dsn, tenant_id, doomed, ids, began)
        await submission
        done = await wait_terminal(dsn, tenant_id)
        async with http.get(f"{plane.upstream_url}/__upstream/stats") as answer:
            stats = msgspec.json.decode(await answer.read())
    statuses = await asyncio.to_thread(_counts, dsn, tenant_id, ids)
    recoveries = await asyncio.to_thread(_recoveries, dsn, tenant_id, ids, killed_at)
    worst = max(recoveries, default=0.0)
    median = recoveries[len(recoveries) // 2] if recoveries else 0.0
    twice = sum(1 for calls in stats["keys"].values() if calls > 1)
    lost = JOBS - statuses.get("succeeded", 0)
    met = done and lost == 0 and stats["side_effects"] == JOBS and 0 < worst <= TARGET_S
    return [
        f"Recovery from a dead worker — {JOBS} jobs (upstream {DELAY_MS:g} ms a call) on two "
        f"worker processes; one SIGKILLed at {killed_s:.1f} s",
        f"  interrupted attempts: {len(recoveries)}; kill → their jobs running again: "
        f"p50 {median:.1f} s   max {worst:.1f} s",
        f"  statuses: {dict(sorted(statuses.items()))}   all terminal: {'yes' if done else 'NO'}",
        f"  upstream: {stats['total']} calls, {twice} keys called twice, side effects applied "
        f"(deduplicated on Idempotency-Key): {stats['side_effects']} for {JOBS} jobs",
        f"  target (issue 15): back within {TARGET_S:g} s, 0 lost, one side effect a job — "
        f"{'met' if met else 'MISSED'}",
    ]
