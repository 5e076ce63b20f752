"""``python -m bench.policy_gate``: what the policy gate costs per call (needs REDIS_URL).

Every call goes through the full policy: tenant rps and concurrency quotas, the
operation's rate limit and a breaker, with limits high enough that all are admitted.
For each transport (the gate's multiplexed connection, and redis-py's pool) and each
number of concurrent callers (and, multiplexed, an open loop at the exec-api's target
of 3,000 calls/s) it prints admit+record pairs per second, the client CPU
per pair (what the exec-api pays), latency, round trips per call, and the Redis server's
time per script call. The client runs on one core.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import CallKey
from orchestrator.core.policy.model import BreakerPolicy, PolicySpec, RateLimitPolicy, TenantQuota

SECONDS = float(os.environ.get("BENCH_POLICY_SECONDS", "2"))
SPEC = PolicySpec(rate_limit=RateLimitPolicy(limit=1_000_000), breaker=BreakerPolicy())
QUOTA = TenantQuota(rps=1_000_000, concurrency=100_000)
TENANTS = 8


@dataclass(frozen=True)
class Run:
    """One transport at one concurrency."""

    pairs_per_s: float
    cpu_us: float
    admit_p50_us: float
    record_p50_us: float
    pair_p99_us: float
    round_trips: float | None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def summarize(
    admits: list[float],
    records: list[float],
    pairs: list[float],
    cpu: float,
    wall: float,
    round_trips: float | None,
) -> Run:
    """The run the timed admits, records and whole pairs (seconds) add up to."""
    return Run(
        pairs_per_s=len(pairs) / wall,
        cpu_us=cpu / len(pairs) * 1e6,
        admit_p50_us=percentile(admits, 0.5) * 1e6,
        record_p50_us=percentile(records, 0.5) * 1e6,
        pair_p99_us=percentile(pairs, 0.99) * 1e6,
        round_trips=round_trips,
    )


async def run(gate: PolicyGate, callers: int, seconds: float) -> Run:
    """Admit+record pairs from ``callers`` loops for ``seconds`` (after a short warm-up)."""
    keys = [CallKey(uuid.uuid4(), "bench", "call") for _ in range(TENANTS)]
    admits: list[float] = []
    records: list[float] = []
    pairs: list[float] = []

    async def loop(key: CallKey, until: float, measure: bool) -> None:
        clock = time.perf_counter
        while (start := clock()) < until:
            admission = await gate.admit(key, SPEC, QUOTA, lease_s=30)
            admitted = clock()
            await gate.record(key, SPEC, admission, success=True, duration_s=0.01)
            if measure:
                end = clock()
                admits.append(admitted - start)
                records.append(end - admitted)
                pairs.append(end - start)

    warm = time.perf_counter() + 0.3
    await asyncio.gather(*(loop(keys[i % TENANTS], warm, False) for i in range(callers)))
    trips_before = gate.round_trips
    cpu, wall = time.process_time(), time.perf_counter()
    until = wall + seconds
    await asyncio.gather(*(loop(keys[i % TENANTS], until, True) for i in range(callers)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    trips = (
        None
        if trips_before is None or gate.round_trips is None
        else (gate.round_trips - trips_before) / (2 * len(pairs))
    )
    return summarize(admits, records, pairs, cpu, wall, trips)


async def paced(gate: PolicyGate, rate: float, seconds: float) -> Run:
    """Open loop: a new admit+record pair every ``1/rate`` s, as a server under that load."""
    key = CallKey(uuid.uuid4(), "bench", "call")
    admits: list[float] = []
    records: list[float] = []
    pairs: list[float] = []

    async def one() -> None:
        clock = time.perf_counter
        start = clock()
        admission = await gate.admit(key, SPEC, QUOTA, lease_s=30)
        admitted = clock()
        await gate.record(key, SPEC, admission, success=True, duration_s=0.01)
        end = clock()
        admits.append(admitted - start)
        records.append(end - admitted)
        pairs.append(end - start)

    tasks = []
    cpu, begin = time.process_time(), time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - begin
    return summarize(admits, records, pairs, cpu, wall, None)


async def script_totals(redis: Redis) -> tuple[float, int]:
    """Server µs spent in EVALSHA so far, and the calls (every client of this server)."""
    stats = await redis.info("commandstats")
    evalsha = stats.get("cmdstat_evalsha", {})
    return float(evalsha.get("usec", 0.0)), int(evalsha.get("calls", 0))


def line(transport: str, callers: str, result: Run) -> str:
    trips = "—" if result.round_trips is None else f"{result.round_trips:.2f}"
    return (
        f"  {transport:<12} {callers:>8} {result.pairs_per_s:>9.0f} {result.cpu_us:>12.1f} "
        f"{result.admit_p50_us:>8.0f}µs {result.record_p50_us:>9.0f}µs "
        f"{result.pair_p99_us:>7.0f}µs {trips:>17}"
    )


async def main() -> None:
    """Print the gate's cost per call on this machine."""
    url = os.environ["REDIS_URL"]
    redis = Redis.from_url(url, max_connections=256)
    namespace = f"bench-policy-{uuid.uuid4().hex[:8]}"
    affinity = os.sched_getaffinity(0)
    if len(affinity) > 1:
        os.sched_setaffinity(0, {max(affinity)})
    try:
        version = (await redis.info("server"))["redis_version"]
        print(
            f"Policy gate — Redis {version}; every call: tenant rps + concurrency quota, "
            f"rate limit, breaker; client on one core, {SECONDS:.0f} s per run"
        )
        print(
            f"  {'transport':<12} {'callers':>8} {'pairs/s':>9} {'CPU µs/pair':>12} "
            f"{'admit p50':>10} {'record p50':>11} {'pair p99':>9} {'round trips/call':>17}"
        )
        used, calls = await script_totals(redis)
        for multiplex in (True, False):
            transport = "multiplexed" if multiplex else "redis-py"
            gate = PolicyGate(redis, namespace, multiplex=multiplex)
            try:
                for callers in (1, 32):
                    print(line(transport, str(callers), await run(gate, callers, SECONDS)))
                if multiplex:  # redis-py falls behind at this rate and runs out of connections
                    print(line(transport, "3000/s", await paced(gate, 3000, SECONDS)))
            finally:
                await gate.aclose()
        used_after, calls_after = await script_totals(redis)
        if calls_after > calls:
            print(
                f"  Redis server: {(used_after - used) / (calls_after - calls):.1f} µs per "
                f"script call ({calls_after - calls} calls)"
            )
    finally:
        os.sched_setaffinity(0, affinity)
        keys = [key async for key in redis.scan_iter(match=f"{namespace}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main())
