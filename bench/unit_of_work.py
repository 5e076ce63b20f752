"""The unit of work (issue 12, point 7): what one small piece of work costs today.

Four figures, each printed with its target:

1. ``GET /api/v1/workspace`` on the exec-api, a one-row read behind a bearer token and
   RLS: requests a second with the exec-api (granian, one worker) alone on core 0 and
   wrk on core 1, saturated at ``CONCURRENCY`` connections, and the p50 of that run; no
   worker runs meanwhile.
2. ``GET /api/v1/jobs/{id}`` of an existing (succeeded) job, measured the same way.
3. Webhook routing end to end against ingest (``bench/routing.py``).
4. A trickled job's CPU: ``TRICKLE_PER_S`` jobs a second, one a request and sent on a
   fixed schedule (open loop), for ``TRICKLE_SECONDS`` to a connector whose upstream
   answers 200 (``bench/jobs.py``'s set-up: every process unpinned). The CPU each process
   tree used from the first submission until every job is terminal, over the jobs that
   succeeded; the target is on the exec-api's and the worker's sum. The CPU both use
   idle, over ``IDLE_SECONDS`` just before, is printed beside it.

Measured in the order 4, 1 and 2 (the read is of a trickled job), 3; printed 1 to 4.
PostgreSQL and Redis are never pinned; everything is on loopback.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
import msgspec
from tests.support.stack import Service
from tests.support.upstream import upstream_process

from bench import jobs, routing
from bench.cpu import ALL_CPUS, CpuMeter, pin_tree
from bench.execute import child_pid, create_connector, program_upstream
from bench.load import CONCURRENCY, SECONDS, LoadResult, Run, Target, load, wrk_available
from bench.scratch import Scratch, Stage, start_ready, tenant_clients

TRICKLE_PER_S = float(os.environ.get("BENCH_UOW_TRICKLE_PER_S", "100"))
TRICKLE_SECONDS = float(os.environ.get("BENCH_UOW_TRICKLE_SECONDS", "10"))
IDLE_SECONDS = float(os.environ.get("BENCH_UOW_IDLE_SECONDS", "3"))
LONE_READ_SECONDS = 5.0
WARMUP_JOBS = 100
READ_TARGET_RPS = 5000
READ_TARGET_P50_MS = 5.0
JOB_CPU_TARGET_MS = 1.0
CONNECTOR_NAME = "bench-uow"
JOB_READ = "GET /api/v1/jobs/{id}"


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _cores(cpus: set[int]) -> str:
    return ",".join(map(str, sorted(cpus)))


# -- 1 and 2: one-row reads on one core ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Read:
    """One read saturated, and the CPU each process used per request meanwhile."""

    result: LoadResult
    cpu_us: dict[str, float]


async def check_ok(target: Target) -> None:
    """The target answers 200 (a refused one would be measured as a fast error)."""
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        answer = await http.request(target.method, target.url, headers=target.headers)
    if answer.status_code != 200:
        raise RuntimeError(f"{target.url}: {answer.status_code} {answer.text}")


async def read(target: Target, pids: dict[str, int]) -> Read:
    """Warm up for a second, then load ``target`` for ``SECONDS``, metering CPU."""
    await check_ok(target)
    await load(target, Run(seconds=1, concurrency=CONCURRENCY, warmup_s=0))
    meter = CpuMeter(pids)
    meter.start()
    result = await load(target, Run(seconds=SECONDS, concurrency=CONCURRENCY, warmup_s=0))
    used = meter.stop()
    per = max(1, result.requests)
    return Read(result, {name: seconds / per * 1e6 for name, seconds in used.items()})


def read_lines(name: str, measured: Read) -> list[str]:
    """A read's figures and its verdict."""
    result = measured.result
    cpu = "   ".join(f"{process} {micros:.0f}" for process, micros in measured.cpu_us.items())
    met = result.rps >= READ_TARGET_RPS and result.p50_ms < READ_TARGET_P50_MS
    return [
        f"    {name:<28} {result.rps:>8.0f}/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}",
        f"      CPU per request (µs): {cpu}",
        f"      target: ≥ {READ_TARGET_RPS:,}/s and p50 < {READ_TARGET_P50_MS:g} ms on one core"
        f" — {result.rps:,.0f}/s, p50 {result.p50_ms:.2f} ms: {_verdict(met)}",
    ]


# -- 4: a trickled job's CPU --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Trickle:
    """Jobs sent on a schedule, what became of them, and the CPU each process used."""

    submitted: jobs.Submitted
    done: bool
    wall_s: float
    outcome: jobs.Outcome
    cpu_s: dict[str, float]
    idle_per_s: dict[str, float]
    """CPU seconds a second each process used just before, with nothing to do."""
    lone_read_ms: float | None = None
    """The exec-api's CPU per lone read at the same pace (``lone_read_ms``), for scale."""


async def paced(count: int, per_s: float, send: Callable[[], Coroutine[Any, Any, None]]) -> float:
    """Start ``send()`` ``count`` times, the i-th at ``i / per_s`` seconds, whatever the
    answers take (open loop: a slow answer does not delay the next); the seconds taken."""
    tasks: list[asyncio.Task[None]] = []
    began = time.perf_counter()
    for index in range(count):
        delay = began + index / per_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send()))
    await asyncio.gather(*tasks)
    return time.perf_counter() - began


async def scheduled(
    http: aiohttp.ClientSession, url: str, body: bytes, count: int, per_s: float
) -> jobs.Submitted:
    """POST ``count`` jobs at ``per_s`` a second (``paced``)."""
    ids: list[str] = []
    refused = 0

    async def one() -> None:
        nonlocal refused
        async with http.post(url, data=body) as response:
            answer = await response.read()
        if response.status == 202:
            ids.append(msgspec.json.decode(answer)["id"])
        else:
            refused += 1

    seconds = await paced(count, per_s, one)
    return jobs.Submitted(ids, refused, seconds)


async def lone_read_ms(http: aiohttp.ClientSession, url: str, meter: CpuMeter) -> float:
    """The exec-api's CPU (ms) per ``GET url`` sent alone at ``TRICKLE_PER_S`` a second: what
    the serving stack costs per lone request, whatever the request does."""
    count = round(TRICKLE_PER_S * LONE_READ_SECONDS)
    failed = 0

    async def one() -> None:
        nonlocal failed
        async with http.get(url) as response:
            await response.read()
        failed += response.status != 200

    meter.start()
    await paced(count, TRICKLE_PER_S, one)
    used = meter.stop()
    if failed:
        raise RuntimeError(f"{url}: {failed} of {count} reads failed")
    return used["exec-api"] / count * 1000


async def trickle(
    http: aiohttp.ClientSession, url: str, body: bytes, meter: CpuMeter, scratch: Scratch
) -> Trickle:
    """``TRICKLE_PER_S`` jobs a second for ``TRICKLE_SECONDS``; wait until all are terminal."""
    dsn, tenant_id = scratch.owner_dsn, scratch.tenant.tenant_id
    count = round(TRICKLE_PER_S * TRICKLE_SECONDS)
    meter.start()
    await asyncio.sleep(IDLE_SECONDS)
    idle = {name: s / IDLE_SECONDS for name, s in meter.stop().items()}
    meter.start()
    client_cpu = time.process_time()
    wall = time.perf_counter()
    submitted = await scheduled(http, url, body, count, TRICKLE_PER_S)
    done = await jobs.wait_terminal(dsn, tenant_id)
    wall = time.perf_counter() - wall
    used = meter.stop()
    used["bench client"] = time.process_time() - client_cpu
    result = await asyncio.to_thread(jobs.outcome, dsn, tenant_id, submitted.ids)
    return Trickle(submitted, done, wall, result, used, idle)


def trickle_lines(measured: Trickle, saturated_read_us: float) -> list[str]:
    """The trickle's figures and its verdict, beside what a read costs alone and saturated."""
    count = round(TRICKLE_PER_S * TRICKLE_SECONDS)
    succeeded = measured.outcome.statuses.get("succeeded", 0)
    per_job = {name: s / max(1, succeeded) * 1000 for name, s in measured.cpu_s.items()}
    exec_ms, worker_ms = per_job.get("exec-api", 0.0), per_job.get("worker", 0.0)
    total = exec_ms + worker_ms
    idle_s = measured.idle_per_s.get("exec-api", 0.0) + measured.idle_per_s.get("worker", 0.0)
    idle_ms = idle_s * 1000 / TRICKLE_PER_S
    others = "   ".join(
        f"{name} {millis:.2f}"
        for name, millis in per_job.items()
        if name not in ("exec-api", "worker")
    )
    sub = measured.submitted
    return [
        f"  4. a trickled job's CPU: {count} jobs, one a request, {TRICKLE_PER_S:g}/s on a "
        f"fixed schedule for {TRICKLE_SECONDS:g} s; every process unpinned",
        f"    submitted in {sub.seconds:.2f} s ({len(sub.ids)} accepted, {sub.refused} "
        f"refused); statuses {dict(sorted(measured.outcome.statuses.items()))}; all terminal "
        f"{measured.wall_s:.2f} s after the first: {'yes' if measured.done else 'NO'}",
        f"    dispatch latency (created → first attempt started) p50 "
        f"{measured.outcome.dispatch_p50_ms:.1f} ms   p99 "
        f"{measured.outcome.dispatch_p99_ms:.1f} ms   (created → finished p50 "
        f"{measured.outcome.finish_p50_ms:.1f} ms)",
        f"    CPU per job (ms, first submission → all terminal): exec-api {exec_ms:.2f}   "
        f"worker {worker_ms:.2f}   sum {total:.2f}",
        f"      not in the target: {others}",
        f"    idle, the {IDLE_SECONDS:g} s before (ms of CPU a second): "
        + "   ".join(f"{name} {s * 1000:.1f}" for name, s in measured.idle_per_s.items())
        + f"  (at {TRICKLE_PER_S:g}/s, exec-api and worker idle ≈ {idle_ms:.2f} ms a job)",
        *(
            []
            if measured.lone_read_ms is None
            else [
                f"    for scale: a lone GET /api/v1/jobs/{{id}} at the same pace costs the "
                f"exec-api {measured.lone_read_ms:.2f} ms (a saturated one "
                f"{saturated_read_us / 1000:.2f} ms)"
            ]
        ),
        f"    target: ≤ {JOB_CPU_TARGET_MS:g} ms of CPU a job, exec-api and worker together — "
        f"{total:.2f} ms: {_verdict(total <= JOB_CPU_TARGET_MS and succeeded == count)}",
    ]


# -- the section --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExecSetup:
    """What the exec-api figures need: the connector's job and an exec token."""

    job: bytes
    headers: dict[str, str]


async def prepare(scratch: Scratch, control_url: str, upstream_url: str) -> ExecSetup:
    """The upstream answering 200, a connector to it, and an exec token."""
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        await program_upstream(http, upstream_url)
        operator, token = await tenant_clients(http, scratch, control_url)
        connector = await create_connector(operator, CONNECTOR_NAME, upstream_url, None)
    job = {"connector": connector, "operation": "charge", "payload": {"id": "o-1", "amount": 5}}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return ExecSetup(msgspec.json.encode(job), headers)


@contextmanager
def cpu_affinity(cpus: set[int]) -> Iterator[None]:
    """This process on ``cpus`` for a while (wrk, started from it, inherits them)."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


async def exec_figures(
    scratch: Scratch,
    control_url: str,
    services: list[Service],
    *,
    server_cpus: set[int],
    load_cpus: set[int],
) -> tuple[Trickle, dict[str, Read]]:
    """Figure 4 on the whole box, then 1 and 2 with the exec-api back on its core."""
    dsn = scratch.owner_dsn
    exec_api = start_ready(
        "exec-api", "orchestrator.exec_api", scratch.env, "ORCH_EXEC_API_PORT", cpus=server_cpus
    )
    services.append(exec_api)
    exec_pid = exec_api.process.pid
    try:
        with upstream_process(cpus=load_cpus) as upstream_url:
            setup = await prepare(scratch, control_url, upstream_url)
            upstream_pid = child_pid("tests.support.upstream")
            for pid in (exec_pid, upstream_pid):
                pin_tree(pid, ALL_CPUS)
            worker = start_ready("worker", "orchestrator.worker", scratch.env, "ORCH_WORKER_PORT")
            services.append(worker)
            pids = {"exec-api": exec_pid, "worker": worker.process.pid, "upstream": upstream_pid}
            if (postgres := jobs.postgres_pid(dsn)) is not None:
                pids["postgres"] = postgres
            url = f"{exec_api.url}/api/v1/jobs"
            connector = aiohttp.TCPConnector(limit=64)
            async with aiohttp.ClientSession(connector=connector, headers=setup.headers) as http:
                warm = await scheduled(http, url, setup.job, WARMUP_JOBS, TRICKLE_PER_S)
                await jobs.wait_terminal(dsn, scratch.tenant.tenant_id)
                await asyncio.to_thread(jobs.analyze, dsn)
                trickled = await trickle(http, url, setup.job, CpuMeter(pids), scratch)
            worker.stop()  # the reads have the box to themselves
            job_id = (trickled.submitted.ids or warm.ids)[0]
            job_url = f"{exec_api.url}/api/v1/jobs/{job_id}"
            async with aiohttp.ClientSession(headers=setup.headers) as http:
                lone = await lone_read_ms(http, job_url, CpuMeter({"exec-api": exec_pid}))
            trickled = dataclasses.replace(trickled, lone_read_ms=lone)
            pin_tree(exec_pid, server_cpus)
            read_pids = {"exec-api": exec_pid}
            if "postgres" in pids:
                read_pids["postgres"] = pids["postgres"]
            auth = {"Authorization": setup.headers["Authorization"]}
            base = exec_api.url
            with cpu_affinity(load_cpus):
                reads = {
                    "GET /api/v1/workspace": await read(
                        Target(f"{base}/api/v1/workspace", headers=auth), read_pids
                    ),
                    JOB_READ: await read(Target(job_url, headers=auth), read_pids),
                }
    finally:
        exec_api.stop()
    return trickled, reads


async def run(stage: Stage) -> list[str]:
    """Measure the four figures and return the printed section (in the issue's order)."""
    began = time.monotonic()
    scratch, control_url, services = stage.scratch, stage.control_url, stage.services
    server_cpus, load_cpus = stage.server_cpus, stage.load_cpus
    trickled, reads = await exec_figures(
        scratch, control_url, services, server_cpus=server_cpus, load_cpus=load_cpus
    )
    routed = await routing.measure(
        scratch, control_url, services, server_cpus=server_cpus, load_cpus=load_cpus
    )
    tool = "wrk" if wrk_available() else "the aiohttp generator"
    lines = [
        "The unit of work (issue 12, point 7) — on the code as it is",
        f"  1, 2. one-row reads: exec-api (granian, one worker) on core {_cores(server_cpus)}, "
        f"{tool} on core {_cores(load_cpus)}; {CONCURRENCY} connections, {SECONDS:g} s; "
        "no worker running",
    ]
    for name, measured in reads.items():
        lines += read_lines(name, measured)
    lines += routing.lines(routed, server_cpus=server_cpus, load_cpus=load_cpus)
    lines += trickle_lines(trickled, reads[JOB_READ].cpu_us["exec-api"])
    lines.append(f"  (section took {time.monotonic() - began:.0f} s)")
    return lines
