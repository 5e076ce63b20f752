"""Jobs survive a worker killed mid-flight and a broker outage, end to end (issue 3).

Each test runs a job plane of its own, as real processes: an exec-api and worker(s) on an
isolated database and an embedded Redis the test stops and starts, and an upstream server
in another process that counts the calls it receives per ``Idempotency-Key``.

What the crash test proves: delivery of an attempt is at least once (a worker killed
mid-call leaves the call made and its result unrecorded, so the job's lease runs out and
the attempt is made again), but every attempt of a job carries the job's id as its
``Idempotency-Key``. So an upstream that deduplicates on that header applies each job's
side effect exactly once, and every job ends ``succeeded``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.cli.infra import EmbeddedRedis
from orchestrator.core.policy.model import PolicySpec, RetryPolicy, TimeoutPolicy
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.durability import (
    add_charge_connector,
    program_upstream,
    run_outcomes,
    status_counts,
    submit_jobs,
    until,
    upstream_stats,
)
from tests.support.factories import new_tenant
from tests.support.jobs import IsolatedDb, exec_token
from tests.support.stack import Service, free_port, start_service, wait_ready
from tests.support.upstream import upstream_process

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures

LEASE_S = 3.0
# An attempt's whole deadline fits inside its lease, so a live attempt never loses its job.
POLICY = PolicySpec(
    timeout=TimeoutPolicy(connect_s=1.0, read_s=2.0, total_s=2.0),
    retry=RetryPolicy(max_attempts=5),
)

# Calls may take a minute: only a worker stopping ends an attempt early.
PATIENT = PolicySpec(timeout=TimeoutPolicy(connect_s=1.0, read_s=60.0, total_s=60.0))


@pytest.fixture
def embedded_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own, which it may stop and start."""
    server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def upstream_url() -> Iterator[str]:
    """The upstream, in a process of its own so the test's load does not slow it."""
    with upstream_process() as url:
        yield url


def plane_env(
    service_env: dict[str, str], isolated_url: str, redis: EmbeddedRedis
) -> dict[str, str]:
    """The environment of this test's exec-api and workers."""
    return {
        **service_env,
        "DATABASE_URL": isolated_url,
        "REDIS_URL": redis.url,
        "ORCH_REDIS_NAMESPACE": f"durability-{uuid.uuid4().hex[:8]}",
        "ORCH_LOG_LEVEL": "WARNING",
        "ORCH_JOBS_LEASE_S": str(LEASE_S),
        # A dead worker's fetched messages come back after 2 s of silence, put back by the
        # live worker's reaper alone: Dramatiq's own random requeueing is off (ADR 0081).
        "ORCH_WORKER_BROKER_HEARTBEAT_TIMEOUT_S": "2",
        "ORCH_WORKER_BROKER_MAINTENANCE_CHANCE": "0",
        # A relay killed between claiming outbox rows and publishing them hid them this long.
        "ORCH_JOBS_RELAY_VISIBILITY_S": "5",
        # Dramatiq's consumers reconnect to a returning Redis this soon (default 3 s).
        "dramatiq_restart_delay": "500",
    }


async def slow_charges(
    isolated: IsolatedDb, upstream_url: str, *, delay_ms: float, spec: PolicySpec = POLICY
) -> tuple[BootstrapResult, str, str]:
    """A new tenant with a charges connector (under ``spec``) to an upstream now answering
    after ``delay_ms``: the tenant, the connector's name and an exec token."""
    await program_upstream(upstream_url, {"delay_ms": delay_ms})
    tenant = await new_tenant(isolated.app, isolated.kek)
    connector = await add_charge_connector(isolated.app, tenant.tenant_id, upstream_url, spec)
    return tenant, connector, await exec_token(isolated, tenant.tenant_id)


async def all_ready(services: list[Service]) -> None:
    """Wait until every service answers /ready (they start in parallel)."""
    await asyncio.gather(*(asyncio.to_thread(wait_ready, service) for service in services))


def stop_all(services: list[Service]) -> None:
    """Stop every service. A worker (one process) is killed: nothing of its is needed any
    more, and its graceful stop takes seconds. The exec-api is asked to stop, so that its
    server stops its own worker processes."""
    for service in services:
        if service.module == "orchestrator.worker" and service.process.poll() is None:
            service.kill()
        service.stop()


async def test_a_worker_killed_mid_flight_loses_no_job_and_repeats_no_side_effect(
    isolated: IsolatedDb,
    isolated_url: str,
    service_env: dict[str, str],
    embedded_redis: EmbeddedRedis,
    upstream_url: str,
) -> None:
    jobs = 1000
    # Each call takes a while, so some are always in flight when the worker dies.
    tenant, connector, token = await slow_charges(isolated, upstream_url, delay_ms=200)
    env = plane_env(service_env, isolated_url, embedded_redis)
    worker_env = {**env, "ORCH_WORKER_THREADS": "32"}
    services = [
        start_service("exec-api-crash", "orchestrator.exec_api", env),
        start_service("worker-crash-1", "orchestrator.worker", worker_env),
    ]
    exec_api, first_worker = services
    try:
        await all_ready(services)
        began = time.monotonic()

        async def crash_and_restart() -> tuple[int, float, float]:
            """SIGKILL the worker once some hundreds of jobs are done and the upstream is in
            the middle of several calls (made, but their jobs not finished), then start a
            new one; the jobs done at the kill, and when it was killed and replaced."""

            async def enough() -> bool:
                # Several jobs claimed and not finished: their attempts die with the worker.
                counts = await status_counts(isolated.app, tenant.tenant_id)
                return counts["succeeded"] >= 300 and counts["running"] >= 4

            assert await until(enough, timeout_s=30, every_s=0.05), "the worker ran no jobs"
            first_worker.kill()
            killed_s = time.monotonic() - began
            done = (await status_counts(isolated.app, tenant.tenant_id))["succeeded"]
            services.append(start_service("worker-crash-2", "orchestrator.worker", worker_env))
            await all_ready(services[-1:])
            return done, killed_s, time.monotonic() - began

        async def submit() -> tuple[list[uuid.UUID], float]:
            ids = await submit_jobs(exec_api.url, token, connector, jobs, concurrency=8)
            return ids, time.monotonic() - began

        # Submissions go on while the worker dies and its successor starts.
        async with asyncio.TaskGroup() as group:
            crash = group.create_task(crash_and_restart())
            submission = group.create_task(submit())
        ids, submitted_s = submission.result()
        done_at_kill, killed_s, restarted_s = crash.result()
        assert done_at_kill < jobs, "every job finished before the worker died: nothing tested"

        async def all_terminal() -> bool:
            counts = await status_counts(isolated.app, tenant.tenant_id)
            return counts["queued"] + counts["running"] == 0

        # The bound is for losing nothing, not for speed (make bench measures recovery): a
        # dead worker's jobs run again about one lease after the kill.
        assert await until(all_terminal, timeout_s=60, every_s=0.2), await status_counts(
            isolated.app, tenant.tenant_id
        )
        elapsed = time.monotonic() - began
    finally:
        stop_all(services)

    assert await status_counts(isolated.app, tenant.tenant_id) == {"succeeded": jobs}
    runs = await run_outcomes(isolated.app, tenant.tenant_id)
    stats = await upstream_stats(upstream_url)
    calls_per_key: dict[str, int] = stats["keys"]
    repeats = stats["total"] - jobs
    print(  # noqa: T201  (the figures the report quotes; shown with -s)
        f"\ncrash: {jobs} jobs in {elapsed:.1f}s (submitted {submitted_s:.1f}s, killed "
        f"{killed_s:.1f}s, restarted {restarted_s:.1f}s), {done_at_kill} done at the kill; "
        f"attempts {dict(runs)}; upstream calls {stats['total']}, "
        f"keys called more than once {sum(1 for n in calls_per_key.values() if n > 1)}"
    )
    # An upstream deduplicating on Idempotency-Key applied each job's side effect once...
    assert stats["side_effects"] == jobs, f"{stats['side_effects']} side effects of {jobs} jobs"
    # ...because every call carried a key, and the keys are exactly the job ids.
    assert sum(calls_per_key.values()) == stats["total"]
    assert set(calls_per_key) == {str(job_id) for job_id in ids}
    # The crash did interrupt attempts (so this is a test of repeats, not of a quiet run):
    # the lost attempts were made again, and some had already reached the upstream.
    assert runs["lost"] >= 1, runs
    assert runs["succeeded"] == jobs
    assert repeats >= 1, "no call reached the upstream twice: the kill interrupted nothing"
    assert repeats <= runs["lost"]


async def test_jobs_submitted_while_the_broker_is_down_all_run_when_it_returns(
    isolated: IsolatedDb,
    isolated_url: str,
    service_env: dict[str, str],
    embedded_redis: EmbeddedRedis,
    upstream_url: str,
) -> None:
    jobs = 200
    tenant = await new_tenant(isolated.app, isolated.kek)
    # No rate limit, breaker or quota: submitting needs no Redis at all.
    connector = await add_charge_connector(isolated.app, tenant.tenant_id, upstream_url, POLICY)
    token = await exec_token(isolated, tenant.tenant_id)
    env = plane_env(service_env, isolated_url, embedded_redis)
    services = [
        start_service("exec-api-outage", "orchestrator.exec_api", env),
        start_service("worker-outage", "orchestrator.worker", env),
    ]
    exec_api = services[0]
    try:
        await all_ready(services)
        embedded_redis.stop()
        ids = await submit_jobs(exec_api.url, token, connector, jobs)  # all 202
        assert await status_counts(isolated.app, tenant.tenant_id) == {"queued": jobs}
        assert (await upstream_stats(upstream_url))["total"] == 0
        back = time.monotonic()
        embedded_redis.start()

        async def all_terminal() -> bool:
            counts = await status_counts(isolated.app, tenant.tenant_id)
            return counts["queued"] + counts["running"] == 0

        assert await until(all_terminal, timeout_s=30, every_s=0.1), await status_counts(
            isolated.app, tenant.tenant_id
        )
        recovered_s = time.monotonic() - back
    finally:
        stop_all(services)

    print(f"\noutage: {jobs} jobs all done {recovered_s:.1f}s after Redis returned")  # noqa: T201
    assert await status_counts(isolated.app, tenant.tenant_id) == {"succeeded": jobs}
    stats = await upstream_stats(upstream_url)
    assert set(stats["keys"]) == {str(job_id) for job_id in ids}
    assert stats["side_effects"] == jobs


async def test_a_stopping_worker_hands_back_the_jobs_it_has_no_time_to_finish(
    isolated: IsolatedDb,
    isolated_url: str,
    service_env: dict[str, str],
    embedded_redis: EmbeddedRedis,
    upstream_url: str,
) -> None:
    jobs = 20
    # The stopping worker's calls hang (its attempts cannot end within its grace); the
    # calls after them, the other worker's, are answered at once.
    tenant, connector, token = await slow_charges(isolated, upstream_url, delay_ms=0, spec=PATIENT)
    await program_upstream(upstream_url, {"delay_ms": 30_000}, times=jobs)
    # A lease far longer than the test: a job comes back only if it is handed back.
    env = {**plane_env(service_env, isolated_url, embedded_redis), "ORCH_JOBS_LEASE_S": "60"}
    stopping = start_service(
        "worker-stopping", "orchestrator.worker", {**env, "ORCH_WORKER_STOP_GRACE_S": "0.3"}
    )
    services = [start_service("exec-api-stop", "orchestrator.exec_api", env), stopping]
    try:
        await all_ready(services)
        await submit_jobs(services[0].url, token, connector, jobs)

        async def all_running() -> bool:
            return (await status_counts(isolated.app, tenant.tenant_id))["running"] == jobs

        assert await until(all_running, timeout_s=10, every_s=0.05)
        services.append(start_service("worker-taking-over", "orchestrator.worker", env))
        await all_ready(services[-1:])
        stopping.process.terminate()
        await asyncio.to_thread(stopping.process.wait, 10)  # within its grace and hand-back

        async def all_succeeded() -> bool:
            return await status_counts(isolated.app, tenant.tenant_id) == {"succeeded": jobs}

        assert await until(all_succeeded, timeout_s=20, every_s=0.1), await status_counts(
            isolated.app, tenant.tenant_id
        )
    finally:
        stop_all(services)
    runs = await run_outcomes(isolated.app, tenant.tenant_id)
    assert runs == {"lost": jobs, "succeeded": jobs}, runs
    assert "handed back to other workers" in stopping.log()
