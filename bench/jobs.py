"""Jobs end to end on the whole box: submit through the exec-api, run by a worker process.

Every process is unpinned here (the target is for the whole box). Two bursts of ``JOBS``
jobs: one job a request from ``SUBMITTERS`` connections, then ``BATCH`` jobs a request
(``POST /api/v1/jobs/batch``) from ``BATCH_SUBMITTERS``. A burst ends when every job is
terminal in the database, which is also where the figures come from: end to end is the
first job's ``created_at`` to the last one's ``finished_at``; dispatch latency is
``created_at`` to the first attempt's ``started_at`` (``job_runs``). Before them, ``PACED``
jobs are submitted one every ``PACE_MS``, for the dispatch latency of a box that is not
busy. PostgreSQL's CPU counts the server processes alive at both ends of a burst (those
that come and go in between are missed), when the server runs on this machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec
import psycopg
from tests.support.stack import Service

from bench.cpu import ALL_CPUS, PROC, CpuMeter, pin_tree
from bench.scratch import Scratch, start_ready
from orchestrator.core.outbox.kinds import RUN_JOB

JOBS = int(os.environ.get("BENCH_JOBS", "5000"))
SUBMITTERS = int(os.environ.get("BENCH_JOB_SUBMITTERS", "64"))
BATCH = int(os.environ.get("BENCH_JOB_BATCH", "100"))
BATCH_SUBMITTERS = int(os.environ.get("BENCH_JOB_BATCH_SUBMITTERS", "4"))
PACED = int(os.environ.get("BENCH_PACED_JOBS", "200"))
PACE_MS = float(os.environ.get("BENCH_PACE_MS", "10"))
WAIT_S = float(os.environ.get("BENCH_JOBS_WAIT_S", "90"))
JOBS_TARGET_PER_S = 2000


@dataclass(frozen=True)
class Submitted:
    """Ids of the accepted jobs, the refusals, and the wall time the submissions took."""

    ids: list[str]
    refused: int
    seconds: float


async def submit(
    http: aiohttp.ClientSession,
    url: str,
    job: dict[str, Any],
    count: int,
    concurrency: int,
    batch: int = 1,
) -> Submitted:
    """POST ``count`` jobs from ``concurrency`` loops, one a request or ``batch`` a request
    (``POST /api/v1/jobs/batch``)."""
    ids: list[str] = []
    refused = 0
    remaining = count
    single = msgspec.json.encode(job)

    async def loop() -> None:
        nonlocal remaining, refused
        while remaining > 0:
            take = min(batch, remaining)
            remaining -= take
            if batch == 1:
                async with http.post(url, data=single) as response:
                    answer = await response.read()
                accepted = [msgspec.json.decode(answer)] if response.status == 202 else []
            else:
                document = msgspec.json.encode({"jobs": [job] * take})
                async with http.post(f"{url}/batch", data=document) as response:
                    answer = await response.read()
                accepted = msgspec.json.decode(answer)["jobs"] if response.status == 202 else []
            ids.extend(item["id"] for item in accepted)
            refused += take - len(accepted)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return Submitted(ids, refused, time.perf_counter() - started)


async def paced(
    http: aiohttp.ClientSession, url: str, job: dict[str, Any]
) -> tuple[list[str], float]:
    """``PACED`` jobs, one every ``PACE_MS``: their ids and the submissions' p50 in ms."""
    ids: list[str] = []
    took: list[float] = []
    for _ in range(PACED):
        started = time.perf_counter()
        async with http.post(url, data=msgspec.json.encode(job)) as response:
            if response.status == 202:
                ids.append(msgspec.json.decode(await response.read())["id"])
        took.append(time.perf_counter() - started)
        await asyncio.sleep(max(0.0, PACE_MS / 1000 - took[-1]))
    return ids, statistics.median(took) * 1000


def in_tenant(conn: psycopg.Connection[Any], tenant_id: uuid.UUID) -> None:
    """Scope ``conn``'s transaction to ``tenant_id`` (RLS)."""
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))


def active_count(dsn: str, tenant_id: uuid.UUID) -> int:
    """The bench workspace's queued and running jobs: once every job of a burst exists,
    none left means all are terminal. (Counted on the partial indexes of active jobs,
    so the polling costs PostgreSQL next to nothing.)"""
    with psycopg.connect(dsn) as conn, conn.transaction():
        in_tenant(conn, tenant_id)
        row = conn.execute(
            "SELECT (SELECT count(*) FROM jobs WHERE tenant_id = %(t)s AND status = 'queued')"
            " + (SELECT count(*) FROM jobs WHERE tenant_id = %(t)s AND status = 'running')",
            {"t": tenant_id},
        ).fetchone()
    return int(row[0]) if row else 0


async def wait_terminal(dsn: str, tenant_id: uuid.UUID) -> bool:
    """Poll until none of the workspace's jobs is active, or ``WAIT_S`` passes."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if await asyncio.to_thread(active_count, dsn, tenant_id) == 0:
            return True
        await asyncio.sleep(0.1)
    return False


@dataclass(frozen=True)
class ExecPlane:
    """The exec plane the jobs and recovery sections run on (``__main__.exec_plane``)."""

    exec_url: str
    exec_pid: int
    upstream_url: str
    upstream_pid: int
    connector: str
    headers: dict[str, str]
    """The exec token's, for every request to the exec-api."""
    services: list[Service]
    """The processes started so far: a section appends those it starts (stopped at exit)."""

    @property
    def job(self) -> dict[str, Any]:
        """The job both sections submit: one charge of the connector."""
        return {
            "connector": self.connector,
            "operation": "charge",
            "payload": {"id": "o-1", "amount": 5},
        }


@dataclass(frozen=True)
class Outcome:
    """What the database says about a batch of jobs."""

    statuses: dict[str, int]
    runs: int
    span_s: float
    dispatch_p50_ms: float
    dispatch_p99_ms: float
    finish_p50_ms: float
    relayed_p50_ms: float
    """Created → its run message published by the outbox relay (the rest of dispatch is the
    broker, the worker's consumer and the claim)."""


def outcome(dsn: str, tenant_id: uuid.UUID, ids: list[str]) -> Outcome:
    """Statuses, attempts, the created → finished span and latencies of ``ids``."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        in_tenant(conn, tenant_id)
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
                       (ORDER BY extract(epoch FROM j.finished_at - j.created_at)),
                   (SELECT percentile_cont(0.5) WITHIN GROUP
                        (ORDER BY extract(epoch FROM o.published_at - oj.created_at))
                    FROM outbox o JOIN jobs oj ON o.payload->>'job_id' = oj.id::text
                    WHERE o.kind = %(kind)s AND oj.id = ANY(%(ids)s::uuid[]))
            FROM jobs j JOIN job_runs r ON r.job_id = j.id AND r.attempt = 1
            WHERE j.id = ANY(%(ids)s::uuid[])
            """,
            {"ids": ids, "kind": RUN_JOB},
        ).fetchone()
    assert row is not None
    runs, span, p50, p99, finish, relayed = row
    return Outcome(
        statuses=statuses,
        runs=int(runs),
        span_s=float(span or 0),
        dispatch_p50_ms=float(p50 or 0) * 1000,
        dispatch_p99_ms=float(p99 or 0) * 1000,
        finish_p50_ms=float(finish or 0) * 1000,
        relayed_p50_ms=float(relayed or 0) * 1000,
    )


async def upstream_key_calls(http: aiohttp.ClientSession, upstream_url: str) -> dict[str, int]:
    """Calls the upstream received per ``Idempotency-Key`` (a job's id, for job attempts)."""
    async with http.get(f"{upstream_url}/__upstream/stats") as response:
        stats = msgspec.json.decode(await response.read())
    return {str(key): int(count) for key, count in stats["keys"].items()}


def analyze(dsn: str) -> None:
    """Table statistics, as autovacuum keeps them on a live database (a new one has none,
    and the planner then takes every table for empty)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")


def postgres_pid(dsn: str) -> int | None:
    """The postmaster's pid, when PostgreSQL runs on this machine (its CPU is then ours to
    read; other clients of the same server count too)."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        try:  # while the backend lives: it exits with the connection
            stat = (PROC / str(row[0] if row else 0) / "stat").read_text()
            return int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None


@dataclass(frozen=True)
class Burst:
    """A burst of jobs, how it was submitted, and the CPU each process spent on it."""

    label: str
    submitted: Submitted
    done: bool
    wall_s: float
    cpu_s: dict[str, float]


async def burst(
    http: aiohttp.ClientSession,
    meter: CpuMeter,
    *,
    url: str,
    job: dict[str, Any],
    dsn: str,
    tenant_id: uuid.UUID,
    submitters: int,
    batch: int,
) -> Burst:
    """Submit ``JOBS`` jobs and wait until every one is terminal, metering CPU."""
    meter.start()
    client_cpu = time.process_time()
    wall = time.perf_counter()
    submitted = await submit(http, url, job, JOBS, submitters, batch)
    done = await wait_terminal(dsn, tenant_id)
    wall = time.perf_counter() - wall
    used = meter.stop()
    used["bench client"] = time.process_time() - client_cpu
    label = (
        f"{submitters} concurrent submitters, one job a request"
        if batch == 1
        else f"{submitters} concurrent submitters, {batch} jobs a request (POST /api/v1/jobs/batch)"
    )
    return Burst(label, submitted, done, wall, used)


def burst_lines(measured: Burst, result: Outcome, calls: list[int]) -> list[str]:
    """The printed figures of one burst."""
    sub = measured.submitted
    succeeded = result.statuses.get("succeeded", 0)
    lost = JOBS - succeeded
    rate = succeeded / result.span_s if result.span_s else 0.0
    per_job = {name: seconds / max(1, succeeded) * 1000 for name, seconds in measured.cpu_s.items()}
    total_ms = sum(per_job.values())
    cpu = "   ".join(f"{name} {millis:.2f}" for name, millis in per_job.items())
    return [
        f"  {measured.label}:",
        f"    submit: {len(sub.ids) / sub.seconds:7.0f} jobs/s   ({len(sub.ids)} accepted, "
        f"{sub.refused} refused, {sub.seconds:.2f} s)",
        f"    end to end: {rate:7.0f} jobs/s   (first created → last finished "
        f"{result.span_s:.2f} s; all terminal: {'yes' if measured.done else 'NO'})",
        f"    statuses: {dict(sorted(result.statuses.items()))}   attempts recorded: "
        f"{result.runs}   lost: {lost}",
        f"    upstream calls per job: {min(calls, default=0)}..{max(calls, default=0)} "
        f"({sum(calls)} in all)",
        f"    dispatch latency (created → first attempt started), under the burst: "
        f"p50 {result.dispatch_p50_ms:7.1f} ms   p99 {result.dispatch_p99_ms:7.1f} ms   "
        f"(created → finished p50 {result.finish_p50_ms:.1f} ms)",
        f"    CPU per job (ms, over the burst's {measured.wall_s:.1f} s): {cpu}",
        f"      total {total_ms:.2f} ms of CPU per job on {len(ALL_CPUS)} cores → a ceiling of "
        f"≈ {len(ALL_CPUS) * 1000 / total_ms:,.0f} jobs/s on this box "
        f"({sum(measured.cpu_s.values()):.1f} of {measured.wall_s * len(ALL_CPUS):.1f} "
        "CPU-seconds used)",
        f"    target (issue 3): ≥ {JOBS_TARGET_PER_S:,} jobs/s end to end, 0 lost — "
        f"{'met' if rate >= JOBS_TARGET_PER_S and lost == 0 else 'MISSED'} "
        f"({rate:.0f}/s, {lost} lost)",
    ]


async def run(scratch: Scratch, plane: ExecPlane) -> list[str]:
    """Measure and return the printed section."""
    for pid in (plane.exec_pid, plane.upstream_pid):
        pin_tree(pid, ALL_CPUS)
    worker = start_ready("worker", "orchestrator.worker", scratch.env, "ORCH_WORKER_PORT")
    plane.services.append(worker)
    dsn, tenant_id = scratch.owner_dsn, scratch.tenant.tenant_id
    url = f"{plane.exec_url}/api/v1/jobs"
    job = plane.job
    pids = {
        "exec-api": plane.exec_pid,
        "worker": worker.process.pid,
        "upstream": plane.upstream_pid,
    }
    if (postgres := postgres_pid(dsn)) is not None:
        pids["postgres"] = postgres
    meter = CpuMeter(pids)
    connector_pool = aiohttp.TCPConnector(limit=SUBMITTERS)
    lines = [
        f"Jobs end to end — {JOBS} jobs a burst; exec-api, one worker process "
        f"({os.environ.get('ORCH_WORKER_THREADS', '8')} threads) and upstream unpinned on "
        f"{len(ALL_CPUS)} cores"
    ]
    async with aiohttp.ClientSession(connector=connector_pool, headers=plane.headers) as http:
        await submit(http, url, job, 200, 16)  # pools, caches, the worker's plans
        await wait_terminal(dsn, tenant_id)
        await asyncio.to_thread(analyze, dsn)
        slow, submit_ms = await paced(http, url, job)
        await wait_terminal(dsn, tenant_id)
        low = await asyncio.to_thread(outcome, dsn, tenant_id, slow)
        lines.append(
            f"  dispatch latency, {PACED} jobs one every {PACE_MS:g} ms: "
            f"p50 {low.dispatch_p50_ms:7.1f} ms   p99 {low.dispatch_p99_ms:7.1f} ms   "
            f"(created → relayed p50 {low.relayed_p50_ms:.1f} ms, → finished p50 "
            f"{low.finish_p50_ms:.1f} ms; the POST itself p50 {submit_ms:.1f} ms)"
        )
        for submitters, batch in ((SUBMITTERS, 1), (BATCH_SUBMITTERS, BATCH)):
            before = await upstream_key_calls(http, plane.upstream_url)
            measured = await burst(
                http,
                meter,
                url=url,
                job=job,
                dsn=dsn,
                tenant_id=tenant_id,
                submitters=submitters,
                batch=batch,
            )
            after = await upstream_key_calls(http, plane.upstream_url)
            result = await asyncio.to_thread(outcome, dsn, tenant_id, measured.submitted.ids)
            calls = [after.get(j, 0) - before.get(j, 0) for j in measured.submitted.ids]
            lines += burst_lines(measured, result, calls)
    return lines
