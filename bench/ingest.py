"""Webhook ingest: verified, deduplicated, durably stored deliveries next to a bare endpoint.

The webhook-ingress (granian, one worker) has core 0 to itself, as does, after it, the
bare endpoint (``bench/bare.py``: same server, reads the body, answers 200); wrk runs on
core 1; PostgreSQL and Redis are not pinned. Every delivery is a Stripe event with its
own id, signed with the source's secret (a ``db://`` ref), so each one is verified and
stored with its outbox row; the stored rows are counted afterwards. wrk reads the signed
deliveries from a file and sends each once (``EVENTS_PER_S`` times ``SECONDS`` of them).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import msgspec
import psycopg
from tests.support.control_api import Api
from tests.support.factories import fetch_token

from bench.cpu import CpuMeter
from bench.jobs import postgres_pid
from bench.load import CONCURRENCY, SECONDS, LoadResult, parse_wrk, wrk_available
from bench.scratch import Scratch, start_ready
from orchestrator.core.webhooks.sign import sign

EVENTS_PER_S = int(os.environ.get("BENCH_INGEST_EVENTS_PER_S", "15000"))
"""Deliveries signed per second of a run: more than the ingress takes, so none repeats."""
WARMUP_EVENTS = 3000
TARGET_RPS = 4000
TARGET_P99_MS = 25.0
LOGGING_TARGET = 0.10
"""Most the default logging may cost against logging only warnings (issue 15)."""
INGRESS = "orchestrator.webhook_ingress"
BARE = "bench.bare"
SECRET = "whsec_bench_ingest_secret"  # noqa: S105 - the bench source's own


def stripe_event(index: int) -> bytes:
    """A Stripe event of a realistic size (≈ 0.7 kB) with its own id."""
    return msgspec.json.encode(
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": "payment_intent.succeeded",
            "account": "acct_bench",
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": f"req_{index}", "idempotency_key": str(uuid.uuid4())},
            "data": {
                "object": {
                    "id": f"pi_{index}",
                    "object": "payment_intent",
                    "amount": 2000 + index % 100,
                    "currency": "eur",
                    "customer": "cus_bench",
                    "description": "Bench order",
                    "metadata": {"order_id": str(index)},
                    "payment_method_types": ["card"],
                    "status": "succeeded",
                }
            },
        }
    )


def write_deliveries(path: Path, count: int) -> None:
    """``count`` signed deliveries, one a line: ``<Stripe-Signature>\\t<body>``."""
    now = int(time.time())
    with path.open("wb") as out:
        for index in range(count):
            body = stripe_event(index)
            signature = sign("stripe", body, SECRET, timestamp=now)["stripe-signature"]
            out.write(signature.encode() + b"\t" + body + b"\n")


def wrk_script(data: Path) -> str:
    """Lua for wrk: each request the next signed delivery of ``data``."""
    return f"""
local signatures, bodies, n = {{}}, {{}}, 0
for line in io.lines("{data}") do
  local tab = line:find("\\t", 1, true)
  n = n + 1
  signatures[n] = line:sub(1, tab - 1)
  bodies[n] = line:sub(tab + 1)
end
local i = 0
local headers = {{["Content-Type"] = "application/json"}}
request = function()
  i = i % n + 1
  headers["Stripe-Signature"] = signatures[i]
  return wrk.format("POST", nil, headers, bodies[i])
end
"""


def run_wrk(url: str, data: Path, *, seconds: float, concurrency: int) -> LoadResult:
    """Send ``data``'s deliveries to ``url`` from ``concurrency`` connections."""
    script = data.with_suffix(".lua")
    script.write_text(wrk_script(data))
    duration = f"-d{max(1, round(seconds))}s"
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            "-s",
            str(script),
            "--latency",
            duration,
            "--timeout",
            "10s",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


async def run_aiohttp(
    url: str, lines: list[bytes], *, seconds: float, concurrency: int
) -> LoadResult:
    """The same without wrk (the generator then costs more than the server)."""
    latencies: list[float] = []
    errors = 0
    cursor = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def loop(until: float) -> None:
            nonlocal errors, cursor
            while (start := time.perf_counter()) < until:
                signature, body = lines[cursor % len(lines)].split(b"\t", 1)
                cursor += 1
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature.decode(),
                }
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - start)
                errors += not 200 <= response.status < 300

        begin = time.perf_counter()
        await asyncio.gather(*(loop(begin + seconds) for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
    return LoadResult.of(latencies, errors, elapsed)


async def send(url: str, data: Path, *, seconds: float) -> LoadResult:
    """wrk when installed, else the aiohttp generator."""
    if wrk_available():
        return await asyncio.to_thread(run_wrk, url, data, seconds=seconds, concurrency=CONCURRENCY)
    lines = (await asyncio.to_thread(data.read_bytes)).splitlines()
    return await run_aiohttp(url, lines, seconds=seconds, concurrency=CONCURRENCY)


async def create_source(scratch: Scratch, control_url: str, name: str = "bench-stripe") -> str:
    """A Stripe source ``name`` whose secret is a ``db://`` ref of the same name, through
    the control-api (no bindings)."""
    tenant = scratch.tenant
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        token = await fetch_token(
            http, control_url, tenant.control_client_id, tenant.control_client_secret
        )
        operator = Api(http, control_url, token)
        made = await operator.write("POST", "/secret-refs", {"name": name, "ref": "db://"})
        made.raise_for_status()
        made = await operator.write("PUT", f"/secret-refs/{name}/value", {"value": SECRET})
        made.raise_for_status()
        source = {"name": name, "provider": "stripe", "secret_refs": [name]}
        made = await operator.write("POST", "/webhooks/sources", source)
        made.raise_for_status()
        return str(made.json()["id"])


@dataclass(frozen=True)
class Stored:
    """What the database holds for the bench source, and its commits so far."""

    inbox: int
    outbox: int
    commits: int


def stored(dsn: str, tenant_id: uuid.UUID, source_id: str) -> Stored:
    """Inbox and ``route_webhook`` outbox rows of the source; the database's commits."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
        row: Any = conn.execute(
            "SELECT (SELECT count(*) FROM webhook_inbox WHERE source_id = %(s)s),"
            " (SELECT count(*) FROM outbox WHERE kind = 'route_webhook'"
            "   AND workspace_id = %(t)s),"
            " (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())",
            {"s": source_id, "t": tenant_id},
        ).fetchone()
    return Stored(int(row[0]), int(row[1]), int(row[2]))


def _per(seconds: float, result: LoadResult) -> str:
    return f"{seconds / max(1, result.requests) * 1e6:.0f}"


def _row(name: str, result: LoadResult) -> str:
    return (
        f"    {name:<28} {result.rps:>8.0f}/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
    )


@dataclass(frozen=True)
class Measured:
    """One server loaded with the signed deliveries, and the CPU its processes used."""

    result: LoadResult
    cpu_s: dict[str, float]
    stored: tuple[Stored, Stored] | None
    """The database before and after the measured run (for the ingress)."""


async def measure(
    scratch: Scratch,
    module: str,
    port_variable: str,
    path: str,
    *,
    cpus: set[int],
    data: Data,
    measured: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """Start ``module`` pinned to ``cpus`` (with ``env`` over the scratch environment),
    warm it up, load it with ``measured`` (``data.measured`` by default), stop it."""
    server = start_ready(
        module, module, {**scratch.env, **(env or {})}, port_variable, cpus=cpus, path=path
    )
    stores = module == INGRESS
    dsn, tenant_id = scratch.owner_dsn, scratch.tenant.tenant_id
    try:
        url = f"{server.url}/webhooks/{data.source_id}"
        await send(url, data.warm, seconds=1)  # pools, the cached source
        pids = {"server": server.process.pid}
        if stores and (postgres := postgres_pid(dsn)) is not None:
            pids["postgres (whole server)"] = postgres
        before = await asyncio.to_thread(stored, dsn, tenant_id, data.source_id)
        meter = CpuMeter(pids)
        meter.start()
        result = await send(url, measured or data.measured, seconds=SECONDS)
        cpu = meter.stop()
        after = await asyncio.to_thread(stored, dsn, tenant_id, data.source_id)
        return Measured(result, cpu, (before, after) if stores else None)
    finally:
        server.stop()


@dataclass(frozen=True)
class Data:
    """The bench source and its signed deliveries (warm-up, measured)."""

    source_id: str
    warm: Path
    measured: Path
    count: int

    @property
    def logged(self) -> Path:
        """Deliveries of their own for the run with the default logging (the same events
        again would be duplicates, a cheaper path)."""
        return self.measured.with_name("logged.tsv")


def stored_line(before: Stored, after: Stored, result: LoadResult) -> str:
    """What the run left in the database, against what wrk saw answered."""
    inbox, outbox = after.inbox - before.inbox, after.outbox - before.outbox
    commits = after.commits - before.commits
    answered = result.requests - result.errors
    # wrk counts the answers within its duration; up to one a connection is still on its
    # way then, and stored all the same.
    complete = inbox == outbox and 0 <= inbox - answered <= CONCURRENCY
    return (
        f"  stored: {inbox} inbox rows and {outbox} outbox rows for {answered} answered 2xx "
        f"({'every one' if complete else 'MISMATCH'}); ≈ {commits} commits, "
        f"≈ {inbox / max(1, commits):.1f} deliveries a commit"
    )


async def run(
    scratch: Scratch, *, control_url: str, server_cpus: set[int], load_cpus: set[int]
) -> list[str]:
    """Measure the ingress, then the bare endpoint, and return the printed section."""
    source_id = await create_source(scratch, control_url)
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, load_cpus)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch_dir:
            data = Data(
                source_id,
                Path(scratch_dir) / "warm.tsv",
                Path(scratch_dir) / "measured.tsv",
                int(EVENTS_PER_S * SECONDS),
            )
            await asyncio.to_thread(write_deliveries, data.warm, WARMUP_EVENTS)
            await asyncio.to_thread(write_deliveries, data.measured, data.count)
            await asyncio.to_thread(write_deliveries, data.logged, data.count)
            ingress = await measure(
                scratch, INGRESS, "ORCH_WEBHOOK_INGRESS_PORT", "/ready", cpus=server_cpus, data=data
            )
            # As deployed by default: INFO, a JSON access line a delivery (the scratch
            # deployment logs only warnings).
            logged = await measure(
                scratch,
                INGRESS,
                "ORCH_WEBHOOK_INGRESS_PORT",
                "/ready",
                cpus=server_cpus,
                data=data,
                measured=data.logged,
                env={"ORCH_LOG_LEVEL": "INFO"},
            )
            bare = await measure(
                scratch, BARE, "BENCH_BARE_PORT", "/health", cpus=server_cpus, data=data
            )
    finally:
        os.sched_setaffinity(0, affinity)
    result = ingress.result
    tool = "wrk" if wrk_available() else "the aiohttp generator"
    lines = [
        f"Webhook ingest — ingress and bare endpoint (granian, one worker) on core "
        f"{','.join(map(str, sorted(server_cpus)))}; {tool} on core "
        f"{','.join(map(str, sorted(load_cpus)))}; PostgreSQL and Redis unpinned",
        f"  saturated: {CONCURRENCY} connections, {SECONDS:g} s; Stripe-signed deliveries, "
        "each its own event id",
        _row("POST /webhooks/{id} (ingress)", result),
        _row("the same, default logging", logged.result),
        _row("bare endpoint answering 200", bare.result),
        "  CPU per delivery (µs): ingress "
        + "   ".join(f"{name} {_per(seconds, result)}" for name, seconds in ingress.cpu_s.items())
        + f"   (bare endpoint {_per(bare.cpu_s['server'], bare.result)})",
        stored_line(*ingress.stored, result) if ingress.stored else "  stored: unknown",
    ]
    if result.requests > data.count:
        lines.append(f"  (wrk sent more than the {data.count} signed deliveries: some repeated)")
    cost = 1 - logged.result.rps / result.rps if result.rps else 0.0
    lines.append(
        f"  default logging (INFO, JSON access line) against warnings only: "
        f"{logged.result.rps:,.0f}/s vs {result.rps:,.0f}/s, {cost:+.1%} "
        f"(target: within {LOGGING_TARGET:.0%}) — {'met' if cost <= LOGGING_TARGET else 'MISSED'}"
    )
    met = result.rps >= TARGET_RPS and result.p99_ms <= TARGET_P99_MS
    lines.append(
        f"  target (issue 4): ≥ {TARGET_RPS:,}/s with p99 ≤ {TARGET_P99_MS:g} ms on one core — "
        f"{result.rps:,.0f}/s, p99 {result.p99_ms:.1f} ms: {'met' if met else 'MISSED'}"
    )
    return lines
