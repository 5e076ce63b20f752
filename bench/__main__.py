"""``make bench``: figures for this machine, measured in one run.

1. Foundation: token verification with and without the cache; an authenticated,
   RLS-scoped request next to a bare endpoint of the same exec-api.
2. ``POST /api/v1/execute`` next to a direct call to the same upstream and a bare
   Litestar proxy (``bench/execute.py``).
3. Jobs end to end: submit, dispatch, run, verified in the database (``bench/jobs.py``);
   then recovery from a worker SIGKILLed during a burst (``bench/recovery.py``).
4. Webhook ingest: verified, deduplicated, stored deliveries next to a bare endpoint
   (``bench/ingest.py``).
5. The unit of work (issue 12): a one-row read and a job's status read on one core,
   webhook routing against ingest, a trickled job's CPU (``bench/unit_of_work.py``).
6. Configuration versions: loading the active configuration and ``/execute`` on a
   workspace of 10,000 versions next to one of one (``bench/versions.py``).
7. Console pages: the overview, jobs and audit pages of a workspace of 100,000 jobs,
   sequential server time (``bench/console.py``).
8. What the parts cost: upstream HTTP clients (``bench/upstream.py``) and the policy
   gate (``bench/policy_gate.py``), shortened.
9. The status channel's fan-out: one action's delivery to 1,000 live streams
   (``bench/channel.py``).
10. The CLI's start-up: ``orchestrator --help`` (``bench/cli.py``), first, on an idle box;
   then the idle stack's memory: ``orchestrator run`` with embedded PostgreSQL and Redis,
   every process's RSS, then each HTTP service alone as deployed beside the libraries'
   floor (``bench/footprint.py``).

For 1, 2 and 4 the servers under test run pinned to core 0 and the load, the upstream and
this process use core 1; for 3, 7 and 9 every process is unpinned (the targets are for the
whole box); 5 and 6 say where each of their figures runs. Environment knobs: ``BENCH_ONLY`` (some
of ``cli,footprint,foundation,execute,jobs,recovery,ingest,uow,versions,console,channel,parts``), ``BENCH_SECONDS``,
``BENCH_CONCURRENCY``, ``BENCH_JOBS`` and the others named at the top of each module.
"""

from __future__ import annotations

import asyncio
import os
import time

from tests.support.stack import Service
from tests.support.upstream import upstream_process

from bench import (
    channel,
    cli,
    console,
    execute,
    footprint,
    foundation,
    ingest,
    jobs,
    policy_gate,
    recovery,
    unit_of_work,
    upstream,
    versions,
)
from bench.load import CONCURRENCY, SECONDS, wrk_available
from bench.otlp_sink import otlp_sink
from bench.scratch import Scratch, Stage, scratch_deployment, start_ready

ONLY = set(
    os.environ.get(
        "BENCH_ONLY",
        "cli,footprint,foundation,execute,jobs,recovery,ingest,uow,versions,console,channel,parts",
    ).split(",")
)
"""Which sections run (comma separated), for profiling one of them."""
SERVER_CORE = {0}
LOAD_CORE = {1}


def shorten_part_benches() -> None:
    """The part benches run shorter here than alone, unless told otherwise."""
    if "BENCH_UPSTREAM_CALLS" not in os.environ:
        upstream.CALLS = 1500
    if "BENCH_UPSTREAM_ROUNDS" not in os.environ:
        upstream.ROUNDS = 2
    if "BENCH_POLICY_SECONDS" not in os.environ:
        policy_gate.SECONDS = 1.0


def keep_only(control: Service, services: list[Service]) -> None:
    """Stop every process but the control-api: the next section has the box to itself."""
    for service in services:
        if service is not control:
            service.stop()


def section(lines: list[str]) -> None:
    """Print a section as soon as it is measured."""
    print("\n".join(lines), end="\n\n", flush=True)


async def measured(scratch: Scratch, services: list[Service], affinity: set[int]) -> None:
    """Sections 1 to 7 and 9 on the scratch deployment; every process started joins
    ``services``."""
    control = start_ready(
        "control-api", "orchestrator.control_api", scratch.env, "ORCH_CONTROL_API_PORT"
    )
    services.append(control)
    if ONLY & {"foundation", "execute", "jobs", "recovery"}:
        await exec_plane(scratch, control, services, affinity)
    if "ingest" in ONLY:
        keep_only(control, services)  # the ingress has its core, and the box, to itself
        section(
            await ingest.run(
                scratch, control_url=control.url, server_cpus=SERVER_CORE, load_cpus=LOAD_CORE
            )
        )
    stage = Stage(scratch, control.url, services, SERVER_CORE, LOAD_CORE)
    for name, measure in (("uow", unit_of_work.run), ("versions", versions.run)):
        if name in ONLY:
            keep_only(control, services)  # each figure starts the processes it measures
            section(await measure(stage))
    if "console" in ONLY:
        keep_only(control, services)  # no worker or exec-api busy next to the pages
        section(await console.run(scratch, control=control, services=services))
    if "channel" in ONLY:
        keep_only(control, services)  # the channel's control-api has the box to itself
        section(await channel.run(scratch, services))


async def exec_plane(
    scratch: Scratch, control: Service, services: list[Service], affinity: set[int]
) -> None:
    """Sections 1 to 3: the exec-api, its upstream and the bare proxy."""
    env = scratch.env
    exec_api = start_ready(
        "exec-api", "orchestrator.exec_api", env, "ORCH_EXEC_API_PORT", cpus=SERVER_CORE
    )
    services.append(exec_api)
    with upstream_process(cpus=LOAD_CORE) as upstream_url, otlp_sink() as sink:
        # The same exec-api logging as deployed by default, then tracing on, side by side.
        variant_servers: dict[str, tuple[str, int]] = {}
        for name, overrides in execute.variants(sink.url).items():
            variant = start_ready(
                f"exec-api-{len(services)}",
                "orchestrator.exec_api",
                {**env, **overrides},
                "ORCH_EXEC_API_PORT",
                cpus=SERVER_CORE,
            )
            services.append(variant)
            variant_servers[name] = (variant.url, variant.process.pid)
        proxy = start_ready(
            "bare-proxy",
            "bench.proxy",
            {**env, "BENCH_UPSTREAM_URL": upstream_url},
            "BENCH_PROXY_PORT",
            cpus=SERVER_CORE,
            path="/health",
        )
        services.append(proxy)
        os.sched_setaffinity(0, LOAD_CORE)
        if "foundation" in ONLY:
            section(
                await foundation.run(
                    scratch.settings,
                    scratch.tenant,
                    control_url=control.url,
                    exec_url=exec_api.url,
                    seconds=SECONDS,
                    concurrency=CONCURRENCY,
                )
            )
        setup = await execute.prepare(
            scratch,
            control_url=control.url,
            exec_url=exec_api.url,
            exec_pid=exec_api.process.pid,
            proxy_url=proxy.url,
            proxy_pid=proxy.process.pid,
            upstream_url=upstream_url,
            variant_servers=variant_servers,
        )
        if "execute" in ONLY:
            section(execute.report(await execute.measure(setup), upstream_cpus=LOAD_CORE))
        for service in services:
            if service is not exec_api and service is not control:
                service.stop()
        os.sched_setaffinity(0, affinity)
        plane = jobs.ExecPlane(
            exec_url=exec_api.url,
            exec_pid=exec_api.process.pid,
            upstream_url=upstream_url,
            upstream_pid=setup.upstream_pid,
            connector=setup.connectors["default"],
            headers=setup.exec_headers,
            services=services,
        )
        if "jobs" in ONLY:
            section(await jobs.run(scratch, plane))
        if "recovery" in ONLY:
            section(await recovery.run(scratch, plane))


async def main() -> None:
    """Run every section in order and print it."""
    began = time.monotonic()
    affinity = os.sched_getaffinity(0)
    print(
        f"Orchestrator bench — {os.cpu_count()} cores; load from "
        f"{'wrk' if wrk_available() else 'aiohttp (install wrk for truer figures)'}\n",
        flush=True,
    )
    if "cli" in ONLY:
        section(cli.run())
    if "footprint" in ONLY:
        section(await asyncio.to_thread(footprint.run))
    async with scratch_deployment() as scratch:
        services: list[Service] = []
        try:
            await measured(scratch, services, affinity)
        finally:
            # Before the deployment is dropped: a running worker would write to it again.
            for service in services:
                service.stop()
            os.sched_setaffinity(0, affinity)
    if "parts" not in ONLY:
        return
    shorten_part_benches()
    await upstream.main()
    os.sched_setaffinity(0, affinity)
    print()
    await policy_gate.main()
    print(f"\n(bench took {time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
