"""Configuration versions at scale (issue 13): a workspace with ``BENCH_VERSIONS`` (10,000)
versions next to a workspace with one, both holding the same connector.

1. Loading the active configuration: the head, and the configuration a version holds read
   from the tables the runtime reads (``versions.service.snapshot``), in-process, the two
   workspaces alternating, ``LOADS`` times each; the medians and their ratio (target:
   within 10 %).
2. ``POST /api/v1/execute`` on each workspace, the exec-api (granian, one worker) on core 0
   and the load and upstream on core 1, alternating A, B, A, B; the mean of each and their
   ratio (target: within 5 %).

The history is filled in bulk by the schema owner: copies of the first version's snapshot,
with the head moved to the last one, as if every change had been made through the API.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass

import httpx
import msgspec
import psycopg
from tests.support.control_api import Api
from tests.support.factories import fetch_token
from tests.support.upstream import upstream_process

from bench.execute import PAYLOAD, create_connector, program_upstream
from bench.load import CONCURRENCY, SECONDS, Run, Target, load
from bench.scratch import Scratch, Stage, new_workspace, start_ready
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.models import Workspace
from orchestrator.core.versions import repository, service

VERSIONS = int(os.environ.get("BENCH_VERSIONS", "10000"))
LOADS = int(os.environ.get("BENCH_VERSIONS_LOADS", "200"))
ROUNDS = 2
LOAD_TARGET = 0.10
EXECUTE_TARGET = 0.05
CONNECTOR = "bench-versions"

_FILL = (
    """
    INSERT INTO workspace_versions (tenant_id, number, parent, snapshot, summary, actor, reason)
    SELECT first.tenant_id, n, n - 1, first.snapshot, 'bench', 'bench', 'bench'
    FROM workspace_versions first, generate_series(2, %(count)s) AS n
    WHERE first.tenant_id = %(tenant)s AND first.number = 1
    """,
    """
    UPDATE workspace_version_heads
    SET active = %(count)s, previous = %(count)s - 1, latest = %(count)s
    WHERE tenant_id = %(tenant)s
    """,
)


@dataclass(frozen=True)
class Prepared:
    """A workspace with the bench's connector, and an ``/execute`` request of it."""

    tenant_id: uuid.UUID
    execute: Target


async def prepared(
    http: httpx.AsyncClient, scratch: Scratch, control_url: str, exec_url: str, upstream: str
) -> Prepared:
    """A new workspace whose connector (its first version) calls ``upstream``."""
    tenant = await new_workspace(scratch)
    secret = (tenant.control_client_id, tenant.control_client_secret)
    operator = Api(http, control_url, await fetch_token(http, control_url, *secret))
    await create_connector(operator, CONNECTOR, upstream, None)
    token = await fetch_token(http, control_url, tenant.exec_client_id, tenant.exec_client_secret)
    document = {"connector": CONNECTOR, "operation": "charge", "payload": PAYLOAD}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = msgspec.json.encode(document)
    return Prepared(tenant.tenant_id, Target(f"{exec_url}/api/v1/execute", "POST", headers, body))


def fill_history(dsn: str, tenant_id: uuid.UUID, count: int) -> None:
    """Versions 2 to ``count`` of the workspace, the last one active."""
    with psycopg.connect(dsn) as connection, connection.transaction():
        for statement in _FILL:
            connection.execute(statement, {"count": count, "tenant": tenant_id})


async def load_times(scratch: Scratch, workspaces: list[uuid.UUID]) -> dict[uuid.UUID, float]:
    """Median microseconds to read each workspace's head and active configuration."""
    engine = create_engine(scratch.settings.db)
    sessions = session_factory(engine)
    took: dict[uuid.UUID, list[float]] = {w: [] for w in workspaces}
    try:
        for _ in range(LOADS):
            for tenant_id in workspaces:
                began = time.perf_counter()
                async with tenant_transaction(sessions, tenant_id) as session:
                    head = await repository.head(session)
                    workspace = await session.get_one(Workspace, tenant_id)
                    await service.snapshot(session, workspace)
                took[tenant_id].append(time.perf_counter() - began)
                assert head is not None
    finally:
        await engine.dispose()
    return {w: statistics.median(t) * 1e6 for w, t in took.items()}


async def execute_rates(targets: list[Target]) -> list[float]:
    """Mean requests a second of each target, saturated, alternating ``ROUNDS`` times."""
    rates: list[list[float]] = [[] for _ in targets]
    for target in targets:  # warm-up: pools, plans and token caches
        await load(target, Run(seconds=1, concurrency=CONCURRENCY, warmup_s=0))
    for _ in range(ROUNDS):
        for index, target in enumerate(targets):
            result = await load(target, Run(seconds=SECONDS, concurrency=CONCURRENCY, warmup_s=0))
            if result.errors:
                raise RuntimeError(f"{target.url}: {result.errors} errors")
            rates[index].append(result.rps)
    return [statistics.mean(r) for r in rates]


def _verdict(ratio: float, target: float) -> str:
    return "met" if abs(ratio - 1) <= target else "MISSED"


async def run(stage: Stage) -> list[str]:
    """Measure both figures and return the printed section."""
    began = time.monotonic()
    scratch, control_url, services = stage.scratch, stage.control_url, stage.services
    server_cpus, load_cpus = stage.server_cpus, stage.load_cpus
    exec_api = start_ready(
        "exec-api", "orchestrator.exec_api", scratch.env, "ORCH_EXEC_API_PORT", cpus=server_cpus
    )
    services.append(exec_api)
    affinity = os.sched_getaffinity(0)
    try:
        with upstream_process(cpus=load_cpus) as upstream_url:
            async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
                await program_upstream(http, upstream_url)
                one, many = [
                    await prepared(http, scratch, control_url, exec_api.url, upstream_url)
                    for _ in range(2)
                ]
            fill_began = time.monotonic()
            await asyncio.to_thread(fill_history, scratch.owner_dsn, many.tenant_id, VERSIONS)
            filled_s = time.monotonic() - fill_began
            loads = await load_times(scratch, [one.tenant_id, many.tenant_id])
            os.sched_setaffinity(0, load_cpus)
            rate_one, rate_many = await execute_rates([one.execute, many.execute])
    finally:
        os.sched_setaffinity(0, affinity)
        exec_api.stop()
    load_ratio = loads[many.tenant_id] / loads[one.tenant_id]
    rate_ratio = rate_many / rate_one
    return [
        f"Configuration versions — a workspace of 1 version next to one of {VERSIONS:,} "
        f"(filled in {filled_s:.1f} s)",
        f"  loading the active configuration (head and snapshot, median of {LOADS}): "
        f"{loads[one.tenant_id]:.0f} µs with 1, {loads[many.tenant_id]:.0f} µs with "
        f"{VERSIONS:,}: ratio {load_ratio:.3f}",
        f"    target: within {LOAD_TARGET:.0%} — {_verdict(load_ratio, LOAD_TARGET)}",
        f"  /execute, exec-api on core {','.join(map(str, sorted(server_cpus)))}, "
        f"{CONCURRENCY} connections, {ROUNDS} rounds each: {rate_one:,.0f}/s with 1, "
        f"{rate_many:,.0f}/s with {VERSIONS:,}: ratio {rate_ratio:.3f}",
        f"    target: within {EXECUTE_TARGET:.0%} — {_verdict(rate_ratio, EXECUTE_TARGET)}",
        f"  (section took {time.monotonic() - began:.0f} s)",
    ]
