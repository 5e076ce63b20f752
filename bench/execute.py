"""``POST /api/v1/execute`` next to a direct call to the same upstream and a bare proxy.

Placement on two cores: the server under test (exec-api or the bare proxy) has core 0
to itself; the upstream and wrk share core 1 (both cheap per request next to the
server); Redis and PostgreSQL are not pinned. Each target is measured three ways:

* saturated: ``SATURATE`` connections in a closed loop (throughput, and the server's
  CPU per request);
* moderate: ``MODERATE`` connections, each pausing ``THINK_MS`` after every answer, so
  every target gets about the same offered load and none is saturated;
* sequential: one connection, the plain latency of one call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from redis.asyncio import Redis
from tests.support.control_api import Api

from bench.cpu import PROC, CpuMeter, tree
from bench.load import CONCURRENCY, SECONDS, LoadResult, Run, Target, load, wrk_available
from bench.scratch import Scratch, tenant_clients

SATURATE = CONCURRENCY
MODERATE = int(os.environ.get("BENCH_MODERATE_CONNECTIONS", "8"))
THINK_MS = float(os.environ.get("BENCH_THINK_MS", "8"))
EXECUTE_TARGET_RPS = 3000
OVERHEAD_TARGET_MS = 1.0

PAYLOAD = {"id": "o-1", "amount": 5}
UPSTREAM_ANSWER = {"id": "ch_1", "status": "captured"}
ORDER_SCHEMA = {
    "type": "object",
    "required": ["id", "amount"],
    "properties": {"id": {"type": "string"}, "amount": {"type": "integer", "minimum": 1}},
}
GATED_POLICY = {"rate_limit": {"limit": 1_000_000}, "breaker": {}}
"""A limit no run reaches and a breaker that stays closed: both Redis scripts on the path."""
JSON = {"Content-Type": "application/json"}
LOGGED = "/execute, default logging"
"""The default policy on an exec-api logging as deployed: INFO, a JSON access line a request."""
TRACED = "/execute, traced, all sampled"
"""The default policy on an exec-api exporting every request's spans over OTLP."""
UNSAMPLED = "/execute, traced, none sampled"
"""Tracing configured (SDK and instrumentations loaded) but no request sampled."""
LOGGING_TARGET = 0.10
"""Default logging may cost at most this share of the throughput without it (issue 15)."""


def variants(otlp_url: str) -> dict[str, dict[str, str]]:
    """The second, third and fourth exec-api: what each sets over the bench's quiet one."""
    traced = {
        "ORCH_TRACING_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_url,
        "OTEL_SERVICE_NAME": "bench-exec-api",
    }
    return {
        LOGGED: {"ORCH_LOG_LEVEL": "INFO"},
        TRACED: {**traced, "OTEL_TRACES_SAMPLER": "parentbased_always_on"},
        UNSAMPLED: {**traced, "OTEL_TRACES_SAMPLER": "always_off"},
    }


@dataclass(frozen=True)
class Figures:
    """One target measured three ways, with CPU per request while saturated."""

    saturated: LoadResult
    moderate: LoadResult
    sequential: LoadResult
    cpu_us: dict[str, float]


def connector_config(upstream_url: str) -> dict[str, Any]:
    """An ``http`` connector with one operation: ``charge`` is POST /charges/{id}."""
    return {
        "base_url": upstream_url,
        "operations": {
            "charge": {
                "method": "POST",
                "path": "/charges/{id}",
                "payload_schema": ORDER_SCHEMA,
                "idempotent": True,
            }
        },
    }


async def create_connector(
    operator: Api, name: str, upstream_url: str, policy: dict[str, Any] | None
) -> str:
    """A connector (with its own policy when given) through the control-api."""
    policy_name = None
    if policy is not None:
        policy_name = f"p-{name}"
        made = await operator.write("POST", "/policies", {"name": policy_name, "spec": policy})
        made.raise_for_status()
    made = await operator.write(
        "POST",
        "/connectors",
        {
            "name": name,
            "type": "http",
            "config": connector_config(upstream_url),
            "policy": policy_name,
        },
    )
    made.raise_for_status()
    return name


def child_pid(marker: str) -> int:
    """The pid of this process's child whose command line contains ``marker``."""
    for pid in tree(os.getpid())[1:]:
        try:
            if marker.encode() in (PROC / str(pid) / "cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise LookupError(marker)


def local_process(pid: int) -> bool:
    """Whether ``pid`` is a process this machine shows us."""
    return (PROC / str(pid)).exists()


async def program_upstream(http: httpx.AsyncClient, upstream_url: str) -> None:
    """Every path answers 200 with a small fixed JSON document."""
    program = {"path": "*", "behaviour": {"status": 200, "body": UPSTREAM_ANSWER}}
    (await http.post(f"{upstream_url}/__upstream/program", json=program)).raise_for_status()


@dataclass(frozen=True)
class ExecuteSetup:
    """The four targets, and the processes whose CPU is counted."""

    targets: dict[str, Target]
    servers: dict[str, int | None]
    """The pid of each target's server (None: the direct call has none)."""
    upstream_pid: int
    redis_pid: int | None
    connectors: dict[str, str]
    exec_headers: dict[str, str]


async def prepare(
    scratch: Scratch,
    *,
    control_url: str,
    exec_url: str,
    exec_pid: int,
    proxy_url: str,
    proxy_pid: int,
    upstream_url: str,
    variant_servers: dict[str, tuple[str, int]],
) -> ExecuteSetup:
    """Connectors through the control-api, a token, and each target checked once.
    ``variant_servers`` are more exec-apis (URL and pid) by the name of what they set
    (``variants``), where the first logs only warnings and traces nothing."""
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        await program_upstream(http, upstream_url)
        operator, token = await tenant_clients(http, scratch, control_url)
        plain = await create_connector(operator, "bench-default", upstream_url, None)
        gated = await create_connector(operator, "bench-gated", upstream_url, GATED_POLICY)
        auth = {"Authorization": f"Bearer {token}", **JSON}
        body = msgspec.json.encode(PAYLOAD)

        def execute(connector: str, url: str = exec_url) -> Target:
            document = {"connector": connector, "operation": "charge", "payload": PAYLOAD}
            return Target(f"{url}/api/v1/execute", "POST", auth, msgspec.json.encode(document))

        targets = {
            "direct → upstream": Target(f"{upstream_url}/charges/o-1", "POST", JSON, body),
            "bare Litestar proxy": Target(f"{proxy_url}/proxy/charges/o-1", "POST", JSON, body),
            "/execute, default policy": execute(plain),
            "/execute, rate limit + breaker": execute(gated),
            **{name: execute(plain, url) for name, (url, _) in variant_servers.items()},
        }
        for name, target in targets.items():
            answer = await http.request(
                target.method, target.url, headers=target.headers, content=target.body
            )
            if answer.status_code != 200:
                raise RuntimeError(f"{name}: {answer.status_code} {answer.text}")
            if name.startswith("/execute") and answer.json()["status"] != "succeeded":
                raise RuntimeError(f"{name}: {answer.text}")
    redis = Redis.from_url(scratch.settings.redis.require_url())
    try:
        redis_pid: int | None = int((await redis.info("server"))["process_id"])
    except Exception:
        redis_pid = None
    finally:
        await redis.aclose()
    if redis_pid is not None and not local_process(redis_pid):
        redis_pid = None  # another machine or container: its CPU is not ours to read
    return ExecuteSetup(
        targets=targets,
        servers={
            "direct → upstream": None,
            "bare Litestar proxy": proxy_pid,
            "/execute, default policy": exec_pid,
            "/execute, rate limit + breaker": exec_pid,
            **{name: pid for name, (_, pid) in variant_servers.items()},
        },
        upstream_pid=child_pid("tests.support.upstream"),
        redis_pid=redis_pid,
        connectors={"default": plain, "gated": gated},
        exec_headers=auth,
    )


async def measure(setup: ExecuteSetup) -> dict[str, Figures]:
    """Every target saturated, then at a moderate load, then one connection at a time."""
    saturated: dict[str, LoadResult] = {}
    cpu: dict[str, dict[str, float]] = {}
    for name, target in setup.targets.items():
        pids = {"upstream": setup.upstream_pid}
        server = setup.servers[name]
        if server is not None:
            pids["server"] = server
        if setup.redis_pid is not None:
            pids["redis"] = setup.redis_pid
        meter = CpuMeter(pids)
        # The warm-up fills connection pools and caches; the meter starts after it.
        await load(target, Run(seconds=1, concurrency=SATURATE, warmup_s=0))
        meter.start()
        saturated[name] = await load(target, Run(seconds=SECONDS, concurrency=SATURATE, warmup_s=0))
        used = meter.stop()
        cpu[name] = {
            process: seconds / max(1, saturated[name].requests) * 1e6
            for process, seconds in used.items()
        }
    moderate = {
        name: await load(
            target,
            Run(seconds=SECONDS * 0.75, concurrency=MODERATE, think_ms=THINK_MS, warmup_s=0),
        )
        for name, target in setup.targets.items()
    }
    sequential = {
        name: await load(target, Run(seconds=SECONDS * 0.75, concurrency=1, warmup_s=0))
        for name, target in setup.targets.items()
    }
    return {
        name: Figures(saturated[name], moderate[name], sequential[name], cpu[name])
        for name in setup.targets
    }


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _row(name: str, result: LoadResult) -> str:
    return (
        f"    {name:<32} {result.rps:>8.0f}/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
    )


def report(figures: dict[str, Figures], *, upstream_cpus: set[int]) -> list[str]:
    """The printed section."""
    out = [
        "/execute — exec-api and bare proxy (granian, one worker) on core 0; upstream "
        f"(asyncio, one process) and {'wrk' if wrk_available() else 'the aiohttp generator'} "
        f"on core {','.join(map(str, sorted(upstream_cpus)))}; Redis and PostgreSQL unpinned",
        f"  saturated: {SATURATE} connections, {SECONDS:g} s per target",
    ]
    for name, figure in figures.items():
        out.append(_row(name, figure.saturated))
    out.append("  CPU per request while saturated (µs; the server's core is the bottleneck)")
    for name, figure in figures.items():
        parts = [f"{process} {micros:6.0f}" for process, micros in figure.cpu_us.items()]
        ceiling = figure.cpu_us.get("server")
        bound = f"   → one core ≈ {1e6 / ceiling:,.0f}/s" if ceiling else ""
        out.append(f"    {name:<32} {'   '.join(parts)}{bound}")
    proxy_cpu = figures["bare Litestar proxy"].cpu_us.get("server")
    for name, figure in figures.items():
        server_cpu = figure.cpu_us.get("server")
        if name.startswith("/execute") and server_cpu and proxy_cpu:
            out.append(
                f"    {name} costs {server_cpu - proxy_cpu:+.0f} µs of CPU per request over "
                "the bare proxy"
            )
    out.append(
        f"  moderate: {MODERATE} connections, each pausing {THINK_MS:g} ms after every answer"
    )
    for name, figure in figures.items():
        out.append(_row(name, figure.moderate))
    out.append("  sequential: one connection")
    for name, figure in figures.items():
        out.append(_row(name, figure.sequential))
    direct = figures["direct → upstream"]
    proxy = figures["bare Litestar proxy"]
    out.append("  p50 overhead of /execute (ms)          moderate    sequential")
    for name, figure in figures.items():
        if not name.startswith("/execute"):
            continue
        for base_name, base in (("direct", direct), ("bare proxy", proxy)):
            moderate = figure.moderate.p50_ms - base.moderate.p50_ms
            sequential = figure.sequential.p50_ms - base.sequential.p50_ms
            label = f"{name.removeprefix('/execute, ')} over {base_name}"
            out.append(f"    {label:<36} {moderate:+8.2f}    {sequential:+8.2f}")
    quiet, logged = figures["/execute, default policy"].saturated, figures[LOGGED].saturated
    cost = 1 - logged.rps / quiet.rps if quiet.rps else 0.0
    out.append(
        f"  default logging (INFO, JSON access line) against warnings only: {logged.rps:.0f}/s vs "
        f"{quiet.rps:.0f}/s, {cost:+.1%} — target (issue 15) ≤ {LOGGING_TARGET:.0%}: "
        f"{_verdict(cost <= LOGGING_TARGET)}"
    )
    traced, unsampled = figures[TRACED].saturated, figures[UNSAMPLED].saturated
    out.append(
        f"  tracing on (OTLP/HTTP to a loopback sink) against off: every request sampled "
        f"{traced.rps:.0f}/s ({traced.rps / quiet.rps - 1:+.1%}), none sampled "
        f"{unsampled.rps:.0f}/s ({unsampled.rps / quiet.rps - 1:+.1%}); off loads no SDK"
        if quiet.rps
        else "  tracing: no figure (the quiet exec-api served nothing)"
    )
    out.append(
        "  targets (issue 3): ≥ 3,000/s on one core; p50 overhead ≤ 1 ms over the direct call"
    )
    for name, figure in figures.items():
        if not name.startswith("/execute"):
            continue
        rps = figure.saturated.rps
        moderate = figure.moderate.p50_ms - direct.moderate.p50_ms
        sequential = figure.sequential.p50_ms - direct.sequential.p50_ms
        out.append(
            f"    {name:<32} {rps:>6.0f}/s {_verdict(rps >= EXECUTE_TARGET_RPS)}   overhead "
            f"{moderate:+.2f} ms {_verdict(moderate <= OVERHEAD_TARGET_MS)} (moderate load), "
            f"{sequential:+.2f} ms {_verdict(sequential <= OVERHEAD_TARGET_MS)} (one connection)"
        )
    return out
