"""Jobs end to end on the whole box: submit through the exec-api, run by a worker process.

Every process is unpinned here (the target is for the whole box). ``JOBS`` jobs are
submitted ``SUBMITTERS`` at a time; the run ends when every one is terminal in the
database, which is also where the figures come from: end to end is the first job's
``created_at`` to the last one's ``finished_at``; dispatch latency is ``created_at`` to
the first attempt's ``started_at`` (``job_runs``). Before that, ``PACED`` jobs are
submitted one every ``PACE_MS``, for the dispatch latency of a box that is not busy.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec
import psycopg
from tests.support.stack import Service

from bench.cpu import PROC, CpuMeter, pin_tree
from bench.scratch import Scratch, start_ready

JOBS = int(os.environ.get("BENCH_JOBS", "5000"))
SUBMITTERS = int(os.environ.get("BENCH_JOB_SUBMITTERS", "64"))
PACED = int(os.environ.get("BENCH_PACED_JOBS", "200"))
PACE_MS = float(os.environ.get("BENCH_PACE_MS", "10"))
WAIT_S = float(os.environ.get("BENCH_JOBS_WAIT_S", "90"))
JOBS_TARGET_PER_S = 2000
ALL_CPUS = set(range(os.cpu_count() or 1))
TERMINAL = ("succeeded", "failed", "dead", "cancelled")


@dataclass(frozen=True)
class Submitted:
    """Ids of the accepted jobs, the refusals, and the wall time the submissions took."""

    ids: list[str]
    refused: int
    seconds: float


async def submit(
    http: aiohttp.ClientSession, url: str, body: bytes, count: int, concurrency: int
) -> Submitted:
    """POST ``count`` jobs from ``concurrency`` loops."""
    ids: list[str] = []
    refused = 0
    remaining = count

    async def loop() -> None:
        nonlocal remaining, refused
        while remaining > 0:
            remaining -= 1
            async with http.post(url, data=body) as response:
                answer = await response.read()
            if response.status == 202:
                ids.append(msgspec.json.decode(answer)["id"])
            else:
                refused += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return Submitted(ids, refused, time.perf_counter() - started)


async def paced(http: aiohttp.ClientSession, url: str, body: bytes) -> list[str]:
    """``PACED`` jobs, one every ``PACE_MS``."""
    ids: list[str] = []
    for _ in range(PACED):
        started = time.perf_counter()
        async with http.post(url, data=body) as response:
            if response.status == 202:
                ids.append(msgspec.json.decode(await response.read())["id"])
        await asyncio.sleep(max(0.0, PACE_MS / 1000 - (time.perf_counter() - started)))
    return ids


def _in_tenant(conn: psycopg.Connection[Any], tenant_id: uuid.UUID) -> None:
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))


def terminal_count(dsn: str, tenant_id: uuid.UUID, ids: list[str]) -> int:
    """How many of ``ids`` are in a terminal status."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        _in_tenant(conn, tenant_id)
        row = conn.execute(
            "SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[]) AND status = ANY(%s)",
            (ids, list(TERMINAL)),
        ).fetchone()
    return int(row[0]) if row else 0


async def wait_terminal(dsn: str, tenant_id: uuid.UUID, ids: list[str]) -> bool:
    """Poll until every job of ``ids`` is terminal, or ``WAIT_S`` passes."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if await asyncio.to_thread(terminal_count, dsn, tenant_id, ids) == len(ids):
            return True
        await asyncio.sleep(0.05)
    return False


@dataclass(frozen=True)
class Outcome:
    """What the database says about a batch of jobs."""

    statuses: dict[str, int]
    runs: int
    span_s: float
    dispatch_p50_ms: float
    dispatch_p99_ms: float
    finish_p50_ms: float


def outcome(dsn: str, tenant_id: uuid.UUID, ids: list[str]) -> Outcome:
    """Statuses, attempts, the created → finished span and latencies of ``ids``."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        _in_tenant(conn, tenant_id)
        statuses = {
            str(status): int(count)
            for status, count in conn.execute(
                "SELECT status, count(*) FROM jobs WHERE id = ANY(%s::uuid[]) GROUP BY status",
                (ids,),
            ).fetchall()
        }
        row = conn.execute(
            """
            SELECT (SELECT count(*) FROM job_runs WHERE job_id = ANY(%(ids)s::uuid[])),
                   extract(epoch FROM max(j.finished_at) - min(j.created_at)),
                   percentile_cont(0.5) WITHIN GROUP
                       (ORDER BY extract(epoch FROM r.started_at - j.created_at)),
                   percentile_cont(0.99) WITHIN GROUP
                       (ORDER BY extract(epoch FROM r.started_at - j.created_at)),
                   percentile_cont(0.5) WITHIN GROUP
                       (ORDER BY extract(epoch FROM j.finished_at - j.created_at))
            FROM jobs j JOIN job_runs r ON r.job_id = j.id AND r.attempt = 1
            WHERE j.id = ANY(%(ids)s::uuid[])
            """,
            {"ids": ids},
        ).fetchone()
    assert row is not None
    runs, span, p50, p99, finish = row
    return Outcome(
        statuses=statuses,
        runs=int(runs),
        span_s=float(span or 0),
        dispatch_p50_ms=float(p50 or 0) * 1000,
        dispatch_p99_ms=float(p99 or 0) * 1000,
        finish_p50_ms=float(finish or 0) * 1000,
    )


async def upstream_key_calls(http: aiohttp.ClientSession, upstream_url: str) -> dict[str, int]:
    """Calls the upstream received per ``Idempotency-Key`` (a job's id, for job attempts)."""
    async with http.get(f"{upstream_url}/__upstream/stats") as response:
        stats = msgspec.json.decode(await response.read())
    return {str(key): int(count) for key, count in stats["keys"].items()}


def postgres_pid(dsn: str) -> int | None:
    """The postmaster's pid, when PostgreSQL runs on this machine (its CPU is then ours to
    read; other clients of the same server count too)."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    try:
        stat = (PROC / str(row[0] if row else 0) / "stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


async def run(
    scratch: Scratch,
    *,
    exec_url: str,
    exec_pid: int,
    upstream_url: str,
    upstream_pid: int,
    connector: str,
    headers: dict[str, str],
    services: list[Service],
) -> list[str]:
    """Measure and return the printed section."""
    for pid in (exec_pid, upstream_pid):
        pin_tree(pid, ALL_CPUS)
    worker = start_ready("worker", "orchestrator.worker", scratch.env, "ORCH_WORKER_PORT")
    services.append(worker)
    dsn, tenant_id = scratch.owner_dsn, scratch.tenant.tenant_id
    url = f"{exec_url}/api/v1/jobs"
    body = msgspec.json.encode(
        {"connector": connector, "operation": "charge", "payload": {"id": "o-1", "amount": 5}}
    )
    pids = {"exec-api": exec_pid, "worker": worker.process.pid, "upstream": upstream_pid}
    if (postgres := postgres_pid(dsn)) is not None:
        pids["postgres"] = postgres
    meter = CpuMeter(pids)
    connector_pool = aiohttp.TCPConnector(limit=SUBMITTERS)
    async with aiohttp.ClientSession(connector=connector_pool, headers=headers) as http:
        warm = await submit(http, url, body, 200, 16)  # pools, caches, the worker's plans
        await wait_terminal(dsn, tenant_id, warm.ids)
        slow = await paced(http, url, body)
        await wait_terminal(dsn, tenant_id, slow)
        before_calls = await upstream_key_calls(http, upstream_url)
        meter.start()
        client_cpu = time.process_time()
        wall = time.perf_counter()
        burst = await submit(http, url, body, JOBS, SUBMITTERS)
        done = await wait_terminal(dsn, tenant_id, burst.ids)
        wall = time.perf_counter() - wall
        client_cpu = time.process_time() - client_cpu
        used = meter.stop()
        after_calls = await upstream_key_calls(http, upstream_url)
    low = await asyncio.to_thread(outcome, dsn, tenant_id, slow)
    high = await asyncio.to_thread(outcome, dsn, tenant_id, burst.ids)
    calls = [after_calls.get(job, 0) - before_calls.get(job, 0) for job in burst.ids]
    succeeded = high.statuses.get("succeeded", 0)
    lost = JOBS - succeeded
    rate = succeeded / high.span_s if high.span_s else 0.0
    per_job = {name: seconds / max(1, succeeded) * 1000 for name, seconds in used.items()}
    per_job["bench client"] = client_cpu / max(1, succeeded) * 1000
    total_ms = sum(per_job.values())
    cpu = "   ".join(f"{name} {millis:.2f}" for name, millis in per_job.items())
    return [
        f"Jobs end to end — {JOBS} jobs, {SUBMITTERS} concurrent submitters; exec-api, one "
        f"worker process ({os.environ.get('ORCH_WORKER_THREADS', '8')} threads) and upstream "
        f"unpinned on {len(ALL_CPUS)} cores",
        f"  submit: {len(burst.ids) / burst.seconds:7.0f} jobs/s   ({len(burst.ids)} accepted, "
        f"{burst.refused} refused, {burst.seconds:.2f} s)",
        f"  end to end: {rate:7.0f} jobs/s   (first created → last finished "
        f"{high.span_s:.2f} s; all terminal: {'yes' if done else 'NO'})",
        f"  statuses: {dict(sorted(high.statuses.items()))}   attempts recorded: {high.runs}   "
        f"lost: {lost}",
        f"  upstream calls per job: {min(calls, default=0)}..{max(calls, default=0)} "
        f"({sum(calls)} in all)",
        f"  dispatch latency (created → first attempt started), under the burst: "
        f"p50 {high.dispatch_p50_ms:7.1f} ms   p99 {high.dispatch_p99_ms:7.1f} ms   "
        f"(created → finished p50 {high.finish_p50_ms:.1f} ms)",
        f"  dispatch latency, {PACED} jobs one every {PACE_MS:g} ms: "
        f"p50 {low.dispatch_p50_ms:7.1f} ms   p99 {low.dispatch_p99_ms:7.1f} ms   "
        f"(created → finished p50 {low.finish_p50_ms:.1f} ms)",
        f"  CPU per job (ms, over the burst's {wall:.1f} s): {cpu}",
        f"    total {total_ms:.1f} ms of CPU per job on {len(ALL_CPUS)} cores → a ceiling of "
        f"≈ {len(ALL_CPUS) * 1000 / total_ms:,.0f} jobs/s on this box "
        f"({sum(used.values()) + client_cpu:.1f} of {wall * len(ALL_CPUS):.1f} CPU-seconds used)",
        f"  target (issue 3): ≥ {JOBS_TARGET_PER_S:,} jobs/s end to end, 0 lost — "
        f"{'met' if rate >= JOBS_TARGET_PER_S and lost == 0 else 'MISSED'} "
        f"({rate:.0f}/s, {lost} lost)",
    ]
