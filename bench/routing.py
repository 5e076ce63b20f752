"""Webhook routing end to end, for ``bench/unit_of_work.py`` (figure 3 of issue 12, point 7).

The webhook-ingress (granian, one worker) runs on the server core, the load generator on
the load core, one worker process unpinned and running throughout. Exactly ``DELIVERIES``
Stripe deliveries (``bench/ingest.py``'s signed events, each its own id) are posted from
``CONCURRENCY`` connections as fast as the ingress answers, to a source with no bindings:
routing each one finds nothing to start and marks it ``ignored``. The inbox table is then
polled until none of them is ``received``. The rates come from the table's own clock:
ingest is the deliveries over first → last ``received_at``, routing the same deliveries
over first ``received_at`` → last ``processed_at``; the ratio is routing / ingest (1 when
the worker keeps up).

wrk sends exactly ``DELIVERIES``: its ``delay()`` hook, called before every request,
holds each connection for an hour once that many are on their way, and wrk is stopped
(SIGINT, after which it prints its figures) once the table holds them all.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psycopg
from tests.support.stack import Service

from bench import ingest, jobs
from bench.cpu import CpuMeter
from bench.load import CONCURRENCY, LoadResult, parse_wrk, wrk_available
from bench.scratch import Scratch, start_ready

DELIVERIES = int(os.environ.get("BENCH_UOW_DELIVERIES", "2000"))
WARMUP_DELIVERIES = 300
WAIT_S = float(os.environ.get("BENCH_UOW_ROUTE_WAIT_S", "60"))
"""How long to wait for the deliveries to be stored, then again to be routed."""
TARGET_RATIO = 0.5
SOURCE_NAME = "bench-uow-stripe"
POLL_S = 0.1


def _in_tenant(conn: psycopg.Connection[tuple[object, ...]], tenant_id: uuid.UUID) -> None:
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))


def db_now(dsn: str) -> dt.datetime:
    """The database's clock (the inbox's timestamps are on it)."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    assert isinstance(row[0], dt.datetime)
    return row[0]


@dataclass(frozen=True)
class Inbox:
    """A source's deliveries stored since a moment, by status, and their spans (seconds)."""

    statuses: dict[str, int]
    ingest_span_s: float
    route_span_s: float
    backlog: int
    """Those not yet routed when the last one was received."""

    @property
    def stored(self) -> int:
        """Every delivery stored."""
        return sum(self.statuses.values())

    @property
    def waiting(self) -> int:
        """Those not routed yet."""
        return self.statuses.get("received", 0)


def inbox_since(dsn: str, tenant_id: uuid.UUID, source_id: str, since: dt.datetime) -> Inbox:
    """The source's events received at or after ``since``."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        _in_tenant(conn, tenant_id)
        rows = conn.execute(
            "SELECT status, count(*), min(received_at), max(received_at), max(processed_at)"
            " FROM webhook_inbox WHERE tenant_id = %(t)s AND source_id = %(s)s"
            " AND received_at >= %(since)s GROUP BY status",
            {"t": tenant_id, "s": source_id, "since": since},
        ).fetchall()
        if not rows:
            return Inbox({}, 0.0, 0.0, 0)
        first = min(row[2] for row in rows)
        last = max(row[3] for row in rows)
        processed = max((row[4] for row in rows if row[4] is not None), default=first)
        backlog = conn.execute(
            "SELECT count(*) FROM webhook_inbox WHERE tenant_id = %(t)s AND source_id = %(s)s"
            " AND received_at >= %(since)s AND (processed_at IS NULL OR processed_at > %(last)s)",
            {"t": tenant_id, "s": source_id, "since": since, "last": last},
        ).fetchone()
    return Inbox(
        {str(row[0]): int(row[1]) for row in rows},
        (last - first).total_seconds(),
        (processed - first).total_seconds(),
        int(backlog[0]) if backlog else 0,
    )


@dataclass(frozen=True)
class Batch:
    """Deliveries of the bench source posted from a moment on."""

    scratch: Scratch
    source_id: str
    since: dt.datetime
    count: int


def stored_count(dsn: str, tenant_id: uuid.UUID, source_id: str, since: dt.datetime) -> int:
    """The source's events received at or after ``since``."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        _in_tenant(conn, tenant_id)
        row = conn.execute(
            "SELECT count(*) FROM webhook_inbox WHERE tenant_id = %s AND source_id = %s"
            " AND received_at >= %s",
            (tenant_id, source_id, since),
        ).fetchone()
    return int(row[0]) if row else 0


def waiting_count(dsn: str, tenant_id: uuid.UUID, source_id: str) -> int:
    """The source's events still ``received`` (read on the status index)."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        _in_tenant(conn, tenant_id)
        row = conn.execute(
            "SELECT count(*) FROM webhook_inbox WHERE tenant_id = %s AND status = 'received'"
            " AND source_id = %s",
            (tenant_id, source_id),
        ).fetchone()
    return int(row[0]) if row else 0


async def wait_for(batch: Batch, done: str) -> bool:
    """Poll the source's inbox until ``done`` ("stored": ``batch.count`` rows since
    ``batch.since``; "routed": none ``received``) or ``WAIT_S`` passes; whether it was."""
    dsn, tenant_id = batch.scratch.owner_dsn, batch.scratch.tenant.tenant_id
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if done == "stored":
            stored = await asyncio.to_thread(
                stored_count, dsn, tenant_id, batch.source_id, batch.since
            )
            if stored >= batch.count:
                return True
        elif await asyncio.to_thread(waiting_count, dsn, tenant_id, batch.source_id) == 0:
            return True
        await asyncio.sleep(POLL_S)
    return False


def wrk_script(data: Path, count: int) -> str:
    """Lua for wrk: the deliveries of ``data`` once each, then every connection idle."""
    return (
        ingest.wrk_script(data)
        + f"""
local reserved = 0
delay = function()
  if reserved >= {count} then return 3600000 end
  reserved = reserved + 1
  return 0
end
"""
    )


async def post_wrk(
    url: str, data: Path, count: int, stored: asyncio.Future[bool]
) -> LoadResult | None:
    """``count`` deliveries from wrk, stopped once ``stored`` is done."""
    script = data.with_suffix(".lua")
    script.write_text(wrk_script(data, count))
    args = ["wrk", "-t1", f"-c{CONCURRENCY}", "-s", str(script), "--latency"]
    process = await asyncio.create_subprocess_exec(
        *args,
        f"-d{round(WAIT_S)}s",
        "--timeout",
        f"{round(WAIT_S)}s",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await stored
    finally:
        process.send_signal(signal.SIGINT)
        out = (await process.communicate())[0].decode()
    try:
        return parse_wrk(out)
    except RuntimeError:
        return None


async def post_aiohttp(url: str, data: Path, count: int) -> LoadResult:
    """The same from aiohttp (without wrk; the generator then costs more than the server)."""
    lines = (await asyncio.to_thread(data.read_bytes)).splitlines()[:count]
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as http:

        async def loop() -> None:
            nonlocal errors
            while lines:
                signature, body = lines.pop().split(b"\t", 1)
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature.decode(),
                }
                start = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - start)
                errors += not 200 <= response.status < 300

        began = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(CONCURRENCY)))
        return LoadResult.of(latencies, errors, time.perf_counter() - began)


async def post(url: str, data: Path, batch: Batch) -> LoadResult | None:
    """Post ``data``'s first ``batch.count`` deliveries; what the poster saw once the table
    holds them all (or ``WAIT_S`` passed)."""
    stored = asyncio.ensure_future(wait_for(batch, "stored"))
    if wrk_available():
        result = await post_wrk(url, data, batch.count, stored)
    else:
        result = await post_aiohttp(url, data, batch.count)
    await stored
    return result


@dataclass(frozen=True)
class Routing:
    """The deliveries posted, what the table says of them, and the CPU spent."""

    posted: LoadResult | None
    inbox: Inbox
    cpu_s: dict[str, float]
    """The ingress's over the posting; the others' from the posting until all are routed."""


async def measure(
    scratch: Scratch,
    control_url: str,
    services: list[Service],
    *,
    server_cpus: set[int],
    load_cpus: set[int],
) -> Routing:
    """Start the ingress and a worker, warm up, post the deliveries, wait until routed."""
    dsn = scratch.owner_dsn
    source_id = await ingest.create_source(scratch, control_url, SOURCE_NAME)
    worker = start_ready("worker", "orchestrator.worker", scratch.env, "ORCH_WORKER_PORT")
    services.append(worker)
    ingress = start_ready(
        "webhook-ingress",
        ingest.INGRESS,
        scratch.env,
        "ORCH_WEBHOOK_INGRESS_PORT",
        cpus=server_cpus,
    )
    services.append(ingress)
    posting = CpuMeter({"ingress": ingress.process.pid})
    pids = {"worker": worker.process.pid}
    if (postgres := jobs.postgres_pid(dsn)) is not None:
        pids["postgres (whole server)"] = postgres
    meter = CpuMeter(pids)
    url = f"{ingress.url}/webhooks/{source_id}"
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, load_cpus)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-uow-") as scratch_dir:
            warm, measured = Path(scratch_dir) / "warm.tsv", Path(scratch_dir) / "measured.tsv"
            await asyncio.to_thread(ingest.write_deliveries, warm, WARMUP_DELIVERIES)
            await asyncio.to_thread(ingest.write_deliveries, measured, DELIVERIES)
            # Pools, the cached source, the worker's plans: a few deliveries routed first.
            batch = Batch(
                scratch, source_id, await asyncio.to_thread(db_now, dsn), WARMUP_DELIVERIES
            )
            await post(url, warm, batch)
            await wait_for(batch, "routed")
            batch = Batch(scratch, source_id, await asyncio.to_thread(db_now, dsn), DELIVERIES)
            meter.start()
            posting.start()
            posted = await post(url, measured, batch)
            cpu = posting.stop()
            await wait_for(batch, "routed")
            cpu |= meter.stop()
    finally:
        os.sched_setaffinity(0, affinity)
        ingress.stop()
        worker.stop()
    inbox = await asyncio.to_thread(
        inbox_since, dsn, scratch.tenant.tenant_id, source_id, batch.since
    )
    return Routing(posted, inbox, cpu)


def lines(measured: Routing, *, server_cpus: set[int], load_cpus: set[int]) -> list[str]:
    """The printed figures and their verdict."""
    inbox, posted = measured.inbox, measured.posted
    routed = inbox.stored - inbox.waiting
    ingest_rate = inbox.stored / inbox.ingest_span_s if inbox.ingest_span_s else 0.0
    route_rate = routed / inbox.route_span_s if inbox.route_span_s else 0.0
    ratio = route_rate / ingest_rate if ingest_rate else 0.0
    complete = inbox.stored == DELIVERIES and inbox.waiting == 0
    per = max(1, inbox.stored)
    cpu = "   ".join(f"{name} {s / per * 1e6:.0f}" for name, s in measured.cpu_s.items())
    tool = "wrk" if wrk_available() else "the aiohttp generator"
    seen = (
        f"{posted.requests} answered, p50 {posted.p50_ms:.2f} ms, p99 {posted.p99_ms:.2f} ms, "
        f"errors {posted.errors}"
        if posted
        else "no figures from the load generator"
    )
    cores = ",".join(map(str, sorted(server_cpus))), ",".join(map(str, sorted(load_cpus)))
    return [
        f"  3. webhook routing end to end: ingress (granian, one worker) on core {cores[0]}, "
        f"{tool} on core {cores[1]}, one worker process unpinned; a Stripe source with no "
        "bindings",
        f"    {DELIVERIES} deliveries posted from {CONCURRENCY} connections: {seen}",
        f"    stored {inbox.stored}, statuses {dict(sorted(inbox.statuses.items()))}; "
        f"{inbox.backlog} not yet routed when the last was stored; all routed: "
        f"{'yes' if complete else 'NO'}",
        f"    ingest {ingest_rate:,.0f}/s (first → last received_at, {inbox.ingest_span_s:.2f} s)"
        f"   routing {route_rate:,.0f}/s (first received_at → last processed_at, "
        f"{inbox.route_span_s:.2f} s)",
        f"    CPU per delivery (µs; the ingress while posting, the others until all are "
        f"routed): {cpu}",
        f"    target: routing / ingest ≥ {TARGET_RATIO:g} — {ratio:.2f}: "
        f"{'met' if ratio >= TARGET_RATIO and complete else 'MISSED'}",
    ]
