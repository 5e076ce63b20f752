"""The policy gate against real Redis: shared limits, quotas, the breaker, one round trip each.

Every test works under its own random key namespace and deletes it afterwards. Breaker
timings are real and short (a 0.2 s open wait) rather than a faked Redis clock.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from orchestrator.cli.infra import Infra
from orchestrator.core.policy import gate as gate_module
from orchestrator.core.policy.admission import Admission
from orchestrator.core.policy.breaker import BreakerState, CircuitBreaker
from orchestrator.core.policy.budget import crosses_warning, period_at, warning_threshold
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import CallKey, gate_keys
from orchestrator.core.policy.model import (
    BreakerPolicy,
    PolicySpec,
    RateLimitPolicy,
    TenantQuota,
)
from orchestrator.core.policy.resp import RespConnection

pytestmark = pytest.mark.integration

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN
WAIT_OPEN_S = 0.2
FAST_BREAKER = BreakerPolicy(
    window_size=4,
    minimum_calls=4,
    failure_rate_threshold=50.0,
    slow_call_rate_threshold=50.0,
    slow_call_duration_s=0.5,
    wait_open_s=WAIT_OPEN_S,
    half_open_calls=2,
)


@pytest.fixture
async def redis(infra: Infra) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def namespace(redis: Redis) -> AsyncIterator[str]:
    name = f"test-policy-{uuid.uuid4().hex[:10]}"
    yield name
    keys = [key async for key in redis.scan_iter(match=f"{name}:*")]
    if keys:
        await redis.delete(*keys)


@pytest.fixture(params=[True, False], ids=["multiplexed", "redis-py"])
async def gate(
    redis: Redis, namespace: str, request: pytest.FixtureRequest
) -> AsyncIterator[PolicyGate]:
    policy_gate = PolicyGate(redis, namespace, multiplex=request.param)
    assert policy_gate.multiplexed is request.param
    yield policy_gate
    await policy_gate.aclose()


@pytest.fixture
def key() -> CallKey:
    return CallKey(uuid.uuid4(), "billing", "charge")


async def fail_until_open(gate: PolicyGate, key: CallKey, spec: PolicySpec) -> None:
    assert spec.breaker is not None
    for _ in range(spec.breaker.minimum_calls):
        admission = await gate.admit(key, spec, None, lease_s=5)
        await gate.record(key, spec, admission, success=False, duration_s=0.01)
    assert await gate.breaker_state(key, spec) is OPEN


# --- GCRA rate limit -------------------------------------------------------------------


async def test_a_burst_beyond_the_limit_gets_exactly_the_extra_refused(
    gate: PolicyGate, key: CallKey
) -> None:
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=5, period_s=1.0))
    began = time.monotonic()
    answers = [await gate.admit(key, spec, None, lease_s=5) for _ in range(8)]
    elapsed = time.monotonic() - began
    assert [a.allowed for a in answers] == [True] * 5 + [False] * 3
    assert {a.reason for a in answers[5:]} == {"rate_limited"}
    for remaining, admitted in zip(range(4, -1, -1), answers[:5], strict=True):
        assert gate.headers(admitted) == {
            "RateLimit-Policy": '"default";q=5;w=1',
            "RateLimit": f'"default";r={remaining};t=1',
        }
    for refused in answers[5:]:
        assert refused.retry_after_s is not None
        # One emission interval, less what elapsed since the burst began.
        assert 0.2 - elapsed - 0.01 <= refused.retry_after_s <= 0.2
        assert gate.headers(refused) == {
            "Retry-After": "1",
            "RateLimit-Policy": '"default";q=5;w=1',
            "RateLimit": '"default";r=0;t=1',
        }
        assert not refused.lease
    last = answers[-1].retry_after_s
    assert last is not None
    await asyncio.sleep(last + 0.01)
    again = await gate.admit(key, spec, None, lease_s=5)
    assert again.allowed
    assert not (await gate.admit(key, spec, None, lease_s=5)).allowed


async def test_two_replicas_share_one_budget(
    infra: Infra, redis: Redis, namespace: str, key: CallKey
) -> None:
    other_client = Redis.from_url(infra.redis_url)
    replicas = [PolicyGate(redis, namespace), PolicyGate(other_client, namespace)]
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=6, period_s=60.0))
    try:
        answers = [await replicas[i % 2].admit(key, spec, None, lease_s=5) for i in range(12)]
    finally:
        for replica in replicas:
            await replica.aclose()
        await other_client.aclose()
    assert sum(a.allowed for a in answers) == 6
    assert any(a.allowed for a in answers[0::2])
    assert any(a.allowed for a in answers[1::2])


async def test_limits_are_per_tenant_and_operation(gate: PolicyGate, key: CallKey) -> None:
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=1, period_s=60.0))
    others = [
        key._replace(operation="refund"),
        key._replace(connector="crm"),
        key._replace(tenant_id=uuid.uuid4()),
    ]
    assert (await gate.admit(key, spec, None, lease_s=5)).allowed
    assert not (await gate.admit(key, spec, None, lease_s=5)).allowed
    for other in others:
        assert (await gate.admit(other, spec, None, lease_s=5)).allowed


async def test_tenant_rps_quota_counts_every_operation(gate: PolicyGate, key: CallKey) -> None:
    quota = TenantQuota(rps=3)
    spec = PolicySpec()
    operations = ["a", "b", "c", "d", "e"]
    answers = [
        await gate.admit(key._replace(operation=op), spec, quota, lease_s=5) for op in operations
    ]
    assert [a.allowed for a in answers] == [True, True, True, False, False]
    assert answers[3].reason == "quota_rps"
    assert gate.headers(answers[3])["RateLimit-Policy"] == '"default";q=3;w=1'


# --- Tenant concurrency ----------------------------------------------------------------


async def test_concurrency_quota_refuses_one_over_and_record_frees_a_slot(
    gate: PolicyGate, key: CallKey
) -> None:
    quota = TenantQuota(concurrency=2)
    spec = PolicySpec()
    first = await gate.admit(key, spec, quota, lease_s=5)
    second = await gate.admit(key._replace(operation="other"), spec, quota, lease_s=5)
    assert first.allowed
    assert second.allowed
    assert first.lease
    over = await gate.admit(key, spec, quota, lease_s=5)
    assert not over.allowed
    assert over.reason == "quota_concurrency"
    assert gate.headers(over) == {"Retry-After": "1"}
    await gate.record(key, spec, first, success=True, duration_s=0.01)
    assert (await gate.admit(key, spec, quota, lease_s=5)).allowed


async def test_an_abandoned_lease_expires(gate: PolicyGate, key: CallKey) -> None:
    quota = TenantQuota(concurrency=2)
    spec = PolicySpec()
    held = await gate.admit(key, spec, quota, lease_s=5)
    assert held.allowed
    assert (await gate.admit(key, spec, quota, lease_s=0.2)).allowed  # never recorded
    assert not (await gate.admit(key, spec, quota, lease_s=0.2)).allowed
    await asyncio.sleep(0.25)
    assert (await gate.admit(key, spec, quota, lease_s=0.2)).allowed
    assert not (await gate.admit(key, spec, quota, lease_s=0.2)).allowed  # held still counts


# --- Tenant usage budget ---------------------------------------------------------------


async def test_a_spent_budget_refuses_until_the_month_ends(gate: PolicyGate, key: CallKey) -> None:
    quota = TenantQuota(monthly_calls=3)
    spec = PolicySpec()
    answers = [
        await gate.admit(key._replace(operation=op), spec, quota, lease_s=5) for op in "abcde"
    ]
    assert [a.allowed for a in answers] == [True, True, True, False, False]
    assert [a.budget_used for a in answers] == [1, 2, 3, 3, 3]
    refused = answers[3]
    assert refused.reason == "quota_budget"
    assert refused.rate_limit is None
    to_month_end = period_at(time.time()).ends_at_s - time.time()
    assert refused.retry_after_s is not None
    assert abs(refused.retry_after_s - to_month_end) < 5
    assert gate.headers(refused) == {"Retry-After": str(math.ceil(refused.retry_after_s))}


async def test_the_budget_is_the_workspaces_whatever_it_calls(
    gate: PolicyGate, key: CallKey
) -> None:
    quota = TenantQuota(monthly_calls=2)
    spec = PolicySpec()
    assert (await gate.admit(key, spec, quota, lease_s=5)).allowed
    assert (await gate.admit(key._replace(connector="crm"), spec, quota, lease_s=5)).allowed
    assert not (await gate.admit(key._replace(operation="x"), spec, quota, lease_s=5)).allowed
    # Another workspace has a budget of its own.
    assert (await gate.admit(key._replace(tenant_id=uuid.uuid4()), spec, quota, lease_s=5)).allowed


async def test_concurrent_calls_spend_the_budget_exactly_and_one_crosses_the_warning(
    gate: PolicyGate, key: CallKey
) -> None:
    budget = 40
    quota = TenantQuota(monthly_calls=budget)
    answers = await asyncio.gather(
        *(gate.admit(key, PolicySpec(), quota, lease_s=5) for _ in range(budget + 25))
    )
    allowed = [a for a in answers if a.allowed]
    assert len(allowed) == budget
    assert sorted(a.budget_used for a in allowed) == list(range(1, budget + 1))
    crossing = [a for a in allowed if crosses_warning(a.budget_used, budget)]
    assert [a.budget_used for a in crossing] == [warning_threshold(budget)] == [38]


async def test_a_call_refused_by_another_check_spends_no_budget(
    gate: PolicyGate, key: CallKey
) -> None:
    quota = TenantQuota(monthly_calls=10, rps=1)
    spec = PolicySpec()
    assert (await gate.admit(key, spec, quota, lease_s=5)).budget_used == 1
    refused = await gate.admit(key, spec, quota, lease_s=5)
    assert refused.reason == "quota_rps"
    await asyncio.sleep(1.05)
    assert (await gate.admit(key, spec, quota, lease_s=5)).budget_used == 2


async def test_a_new_month_starts_a_new_count_and_keeps_the_last(
    gate: PolicyGate, redis: Redis, key: CallKey
) -> None:
    usage = gate.keys(key).usage
    this_month = period_at(time.time()).id
    await redis.hset(usage, mapping={"m": this_month - 1, "n": 5})  # last month, spent
    quota = TenantQuota(monthly_calls=5)
    first = await gate.admit(key, PolicySpec(), quota, lease_s=5)
    assert first.allowed
    assert first.budget_used == 1
    stored = await redis.hgetall(usage)
    assert stored == {
        b"m": str(this_month).encode(),
        b"n": b"1",
        b"pm": b"%d" % (this_month - 1),
        b"pn": b"5",
    }
    ttl_s = await redis.ttl(usage)
    assert period_at(time.time()).ends_at_s - time.time() + 39 * 86400 < ttl_s


async def test_without_a_budget_nothing_is_counted(
    gate: PolicyGate, redis: Redis, key: CallKey
) -> None:
    answer = await gate.admit(key, PolicySpec(), TenantQuota(rps=100), lease_s=5)
    assert answer.allowed
    assert answer.budget_used == 0
    assert not await redis.exists(gate.keys(key).usage)


# --- A refusal takes nothing -----------------------------------------------------------


@dataclass
class Snapshot:
    tenant_tat: bytes | str | None
    operation_tat: bytes | str | None
    leases: int
    probes: int


async def snapshot(redis: Redis, gate: PolicyGate, key: CallKey) -> Snapshot:
    keys = gate.keys(key)
    return Snapshot(
        await redis.get(keys.tenant_rps),
        await redis.get(keys.rate_limit),
        await redis.zcard(keys.tenant_leases),
        await redis.zcard(keys.breaker_probes),
    )


async def test_a_rate_limit_refusal_takes_no_quota(
    redis: Redis, gate: PolicyGate, key: CallKey
) -> None:
    # Tenant budgets that a leaking refusal would exhaust within the test.
    quota = TenantQuota(rps=3, concurrency=3)
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=2, period_s=60.0))
    for _ in range(2):
        assert (await gate.admit(key, spec, quota, lease_s=5)).allowed
    before = await snapshot(redis, gate, key)
    refused = [await gate.admit(key, spec, quota, lease_s=5) for _ in range(5)]
    assert {a.reason for a in refused} == {"rate_limited"}
    assert await snapshot(redis, gate, key) == before
    assert before.leases == 2


async def test_a_concurrency_refusal_takes_no_rate(
    redis: Redis, gate: PolicyGate, key: CallKey
) -> None:
    quota = TenantQuota(rps=3, concurrency=1)
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=3, period_s=60.0))
    assert (await gate.admit(key, spec, quota, lease_s=5)).allowed
    before = await snapshot(redis, gate, key)
    refused = [await gate.admit(key, spec, quota, lease_s=5) for _ in range(5)]
    assert {a.reason for a in refused} == {"quota_concurrency"}
    assert await snapshot(redis, gate, key) == before


async def test_a_tenant_rps_refusal_takes_no_operation_rate_or_slot(
    redis: Redis, gate: PolicyGate, key: CallKey
) -> None:
    quota = TenantQuota(rps=1, concurrency=2)
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=3, period_s=60.0))
    assert (await gate.admit(key, spec, quota, lease_s=5)).allowed
    before = await snapshot(redis, gate, key)
    refused = [await gate.admit(key, spec, quota, lease_s=5) for _ in range(5)]
    assert {a.reason for a in refused} == {"quota_rps"}
    assert await snapshot(redis, gate, key) == before
    assert before.leases == 1


async def test_an_open_breaker_takes_no_rate_or_slot(
    redis: Redis, gate: PolicyGate, key: CallKey
) -> None:
    quota = TenantQuota(rps=6, concurrency=5)
    spec = PolicySpec(
        rate_limit=RateLimitPolicy(limit=6, period_s=60.0),
        breaker=msgspec.structs.replace(FAST_BREAKER, wait_open_s=60.0),
    )
    for _ in range(4):
        admission = await gate.admit(key, spec, quota, lease_s=5)
        await gate.record(key, spec, admission, success=False, duration_s=0.01)
    before = await snapshot(redis, gate, key)
    refused = [await gate.admit(key, spec, quota, lease_s=5) for _ in range(5)]
    assert {a.reason for a in refused} == {"breaker_open"}
    assert all(a.breaker is OPEN for a in refused)
    assert await snapshot(redis, gate, key) == before
    assert before.leases == 0


# --- Circuit breaker -------------------------------------------------------------------


async def test_breaker_opens_at_the_threshold_and_probes_close_it(
    gate: PolicyGate, key: CallKey
) -> None:
    spec = PolicySpec(breaker=FAST_BREAKER)
    states = []
    for ok in (False, True, False, True):
        admission = await gate.admit(key, spec, None, lease_s=5)
        assert admission.allowed
        await gate.record(key, spec, admission, success=ok, duration_s=0.01)
        states.append(await gate.breaker_state(key, spec))
    assert states == [CLOSED, CLOSED, CLOSED, OPEN]  # 2 of 4, once 4 calls are in
    refused = await gate.admit(key, spec, None, lease_s=5)
    assert not refused.allowed
    assert refused.reason == "breaker_open"
    assert refused.retry_after_s is not None
    assert 0 < refused.retry_after_s <= WAIT_OPEN_S
    assert gate.headers(refused) == {"Retry-After": "1"}
    await asyncio.sleep(WAIT_OPEN_S + 0.02)
    probes = [await gate.admit(key, spec, None, lease_s=5) for _ in range(3)]
    assert [p.allowed for p in probes] == [True, True, False]
    assert [p.probe for p in probes] == [True, True, False]
    assert {p.breaker for p in probes} == {HALF_OPEN}
    for probe in probes[:2]:
        await gate.record(key, spec, probe, success=True, duration_s=0.01)
    assert await gate.breaker_state(key, spec) is CLOSED
    assert (await gate.admit(key, spec, None, lease_s=5)).allowed


async def test_a_record_tells_when_it_moved_the_breaker(gate: PolicyGate, key: CallKey) -> None:
    """What the status channel posts (ADR 0104): the one record that opened, re-opened or
    closed the breaker says so; every other record says nothing."""
    spec = PolicySpec(breaker=FAST_BREAKER)
    admitted = [await gate.admit(key, spec, None, lease_s=5) for _ in range(5)]
    moves = [
        await gate.record(key, spec, admission, success=False, duration_s=0.01)
        for admission in admitted
    ]
    assert moves == [None, None, None, OPEN, None]  # the fifth was admitted before it opened
    await asyncio.sleep(WAIT_OPEN_S + 0.02)
    probes = [await gate.admit(key, spec, None, lease_s=5) for _ in range(2)]
    assert await gate.record(key, spec, probes[0], success=False, duration_s=0.01) is None
    assert await gate.record(key, spec, probes[1], success=False, duration_s=0.01) is OPEN
    await asyncio.sleep(WAIT_OPEN_S + 0.02)
    probes = [await gate.admit(key, spec, None, lease_s=5) for _ in range(2)]
    assert await gate.record(key, spec, probes[0], success=True, duration_s=0.01) is None
    assert await gate.record(key, spec, probes[1], success=True, duration_s=0.01) is CLOSED


async def test_failing_probes_reopen_the_breaker(gate: PolicyGate, key: CallKey) -> None:
    spec = PolicySpec(breaker=FAST_BREAKER)
    await fail_until_open(gate, key, spec)
    await asyncio.sleep(WAIT_OPEN_S + 0.02)
    probes = [await gate.admit(key, spec, None, lease_s=5) for _ in range(2)]
    await gate.record(key, spec, probes[0], success=True, duration_s=0.01)
    assert await gate.breaker_state(key, spec) is HALF_OPEN
    await gate.record(key, spec, probes[1], success=False, duration_s=0.01)
    assert await gate.breaker_state(key, spec) is OPEN
    assert (await gate.admit(key, spec, None, lease_s=5)).reason == "breaker_open"


async def test_slow_calls_open_the_breaker(gate: PolicyGate, key: CallKey) -> None:
    spec = PolicySpec(breaker=FAST_BREAKER)
    for duration in (0.6, 0.1, 0.1, 0.5):  # two of four at or past 0.5 s
        admission = await gate.admit(key, spec, None, lease_s=5)
        await gate.record(key, spec, admission, success=True, duration_s=duration)
    assert await gate.breaker_state(key, spec) is OPEN


async def test_an_expired_probe_permit_frees_its_slot(gate: PolicyGate, key: CallKey) -> None:
    spec = PolicySpec(breaker=FAST_BREAKER)
    await fail_until_open(gate, key, spec)
    await asyncio.sleep(WAIT_OPEN_S + 0.02)
    held = await gate.admit(key, spec, None, lease_s=5)
    hanging = await gate.admit(key, spec, None, lease_s=0.2)
    assert held.probe
    assert hanging.probe
    assert not (await gate.admit(key, spec, None, lease_s=0.2)).allowed
    await asyncio.sleep(0.25)
    fresh = await gate.admit(key, spec, None, lease_s=0.2)
    assert fresh.probe  # the hanging probe's slot
    await asyncio.sleep(0.25)  # this permit expires too, with no admit since
    for late in (fresh, hanging):
        await gate.record(key, spec, late, success=False, duration_s=30.0)  # ignored
    await gate.record(key, spec, held, success=True, duration_s=0.01)
    assert await gate.breaker_state(key, spec) is HALF_OPEN  # one probe of two reported
    last = await gate.admit(key, spec, None, lease_s=5)
    assert last.probe
    await gate.record(key, spec, last, success=True, duration_s=0.01)
    assert await gate.breaker_state(key, spec) is CLOSED


async def test_the_time_window_forgets_past_seconds(
    redis: Redis, namespace: str, key: CallKey
) -> None:
    # The transport does not matter here: one gate, to keep the test's seconds down.
    gate = PolicyGate(redis, namespace)
    spec = PolicySpec(
        breaker=BreakerPolicy(window="time", window_size=2, minimum_calls=4, wait_open_s=60.0)
    )

    async def call(ok: bool) -> BreakerState:
        admission = await gate.admit(key, spec, None, lease_s=5)
        await gate.record(key, spec, admission, success=ok, duration_s=0.01)
        return await gate.breaker_state(key, spec)

    try:
        await until_start_of_a_redis_second(redis)
        assert [await call(False), await call(False)] == [CLOSED, CLOSED]
        await until_start_of_a_redis_second(redis)
        assert await call(True) == CLOSED  # 3 calls in the last two seconds
        await until_start_of_a_redis_second(redis)
        # The first second's two failures have left the window: T F F is below the minimum.
        assert [await call(False), await call(False)] == [CLOSED, CLOSED]
        assert await call(True) == OPEN  # T F F T: 2 of 4
    finally:
        await gate.aclose()


async def until_start_of_a_redis_second(redis: Redis) -> None:
    _, micros = await redis.time()
    await asyncio.sleep(1.0 - micros / 1e6 + 0.01)


# --- The Lua breaker agrees with the Python one ----------------------------------------

SCRIPTED = [
    ("call", True, 0.01),
    ("call", False, 0.01),
    ("call", True, 0.9),  # slow
    ("call", True, 0.01),  # 1 of 4 failed, 1 of 4 slow: closed
    ("call", False, 0.01),  # window slides: F S T F = 2 of 4 failed → open
    ("call", True, 0.01),  # refused
    ("wait", WAIT_OPEN_S + 0.05),
    ("hold", "p1"),  # probe
    ("call", True, 0.01),  # second probe, reported at once
    ("call", True, 0.01),  # refused: both slots taken
    ("release", "p1", False),  # 1 of 2 probes failed → open again
    ("call", True, 0.01),  # refused
    ("wait", WAIT_OPEN_S + 0.05),
    ("call", True, 0.01),
    ("call", True, 0.01),  # both probes fine → closed
    ("call", False, 0.01),
    ("call", False, 0.01),
    ("call", True, 0.01),
    ("call", True, 0.01),  # 2 of 4 failed → open
]


async def test_lua_and_python_breakers_agree_step_by_step(gate: PolicyGate, key: CallKey) -> None:
    policy = BreakerPolicy(
        window_size=4,
        minimum_calls=4,
        failure_rate_threshold=50.0,
        slow_call_rate_threshold=60.0,
        slow_call_duration_s=0.5,
        wait_open_s=WAIT_OPEN_S,
        half_open_calls=2,
    )
    spec = PolicySpec(breaker=policy)
    reference = CircuitBreaker(policy, time.time)  # the same machine clock as Redis TIME
    held: dict[str, Admission] = {}
    seen = []

    async def admit() -> Admission:
        admission = await gate.admit(key, spec, None, lease_s=5)
        permit = reference.acquire(admission.token, 5)
        assert (admission.allowed, admission.probe) == (permit.allowed, permit.probe)
        assert admission.breaker is permit.state
        return admission

    async def record(admission: Admission, ok: bool, duration_s: float) -> None:
        await gate.record(key, spec, admission, success=ok, duration_s=duration_s)
        reference.record(admission.token, probe=admission.probe, success=ok, duration_s=duration_s)

    for step in SCRIPTED:
        if step[0] == "wait":
            await asyncio.sleep(float(step[1]))
        elif step[0] == "hold":
            held[str(step[1])] = await admit()
        elif step[0] == "release":
            await record(held.pop(str(step[1])), bool(step[2]), 0.01)
        else:
            admission = await admit()
            if admission.allowed:
                await record(admission, bool(step[1]), float(step[2]))
        state = await gate.breaker_state(key, spec)
        assert state is reference.state, step
        seen.append(state)
    # The script walks the whole machine: open, half-open, reopen, close, open.
    assert seen[3:5] == [CLOSED, OPEN]
    assert seen[7] is HALF_OPEN
    assert seen[10] is OPEN
    assert seen[14] is CLOSED
    assert seen[-1] is OPEN


# --- Plumbing: TTLs, round trips, NOSCRIPT, failures -----------------------------------


async def test_every_key_expires(
    redis: Redis, gate: PolicyGate, namespace: str, key: CallKey
) -> None:
    # A minute's rate window outlives the test; the tenant's one-second rps window may be
    # gone by the scan on a loaded machine, which is itself the expiry this test is about.
    spec = PolicySpec(
        rate_limit=RateLimitPolicy(limit=1, period_s=60.0, burst=10), breaker=FAST_BREAKER
    )
    quota = TenantQuota(rps=1, concurrency=5)
    await fail_until_open(gate, key, spec)
    await asyncio.sleep(WAIT_OPEN_S + 0.02)
    await gate.admit(key, spec, quota, lease_s=5)  # a probe, never reported
    names = {k.decode() async for k in redis.scan_iter(match=f"{namespace}:*")}
    layout = gate_keys(namespace, key)
    lasting = {layout.tenant_leases, layout.rate_limit, layout.breaker, layout.breaker_probes}
    assert lasting <= names <= lasting | {layout.tenant_rps}  # window emptied on opening
    for name in names:
        # -1 is a key that never expires; -2 one already gone.
        assert await redis.pttl(name) != -1, name


async def test_admit_and_record_are_one_round_trip_each(
    redis: Redis, namespace: str, key: CallKey
) -> None:
    gate = PolicyGate(redis, namespace)
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=100), breaker=FAST_BREAKER)
    quota = TenantQuota(rps=100, concurrency=5)
    try:
        await gate.admit(key, spec, quota, lease_s=5)  # connects and warms the script
        start = gate.round_trips
        assert start is not None
        admission = await gate.admit(key, spec, quota, lease_s=5)
        assert gate.round_trips == start + 1
        await gate.record(key, spec, admission, success=True, duration_s=0.01)
        assert gate.round_trips == start + 2
        free = await gate.admit(key, PolicySpec(), None, lease_s=5)
        await gate.record(key, PolicySpec(), free, success=True, duration_s=0.01)
        assert free.allowed
        assert gate.round_trips == start + 2  # nothing to check: no round trip at all
    finally:
        await gate.aclose()


async def test_a_flushed_script_cache_falls_back_to_eval(
    gate: PolicyGate, key: CallKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SHA Redis never saw stands for a flushed cache (a real flush would disturb others).
    monkeypatch.setattr(gate_module, "SCRIPT_SHA", "0" * 40)
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=1, period_s=60.0), breaker=FAST_BREAKER)
    admission = await gate.admit(key, spec, None, lease_s=5)
    assert admission.allowed
    await gate.record(key, spec, admission, success=True, duration_s=0.01)
    assert not (await gate.admit(key, spec, None, lease_s=5)).allowed


@pytest.mark.parametrize("multiplex", [True, False])
async def test_an_unreachable_redis_raises_redis_errors(multiplex: bool, key: CallKey) -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    gate = PolicyGate(client, "nowhere", multiplex=multiplex)
    spec = PolicySpec(rate_limit=RateLimitPolicy(limit=1))
    with pytest.raises(RedisConnectionError):
        await gate.admit(key, spec, None, lease_s=5)
    await gate.aclose()
    await client.aclose()


async def test_the_multiplexed_connection_reconnects_after_being_killed(redis: Redis) -> None:
    conn = RespConnection.from_redis(redis)
    assert conn is not None
    client_id = await conn.execute("CLIENT", "ID")
    await redis.client_kill_filter(_id=client_id)
    for _ in range(50):
        if conn.protocol is None:
            break
        await asyncio.sleep(0.01)
    assert await conn.execute("PING") == b"PONG"
    assert await conn.execute("CLIENT", "ID") != client_id
    await conn.aclose()


async def test_a_silent_server_times_out_every_call_in_flight() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    conn = RespConnection(host="127.0.0.1", port=port, timeout_s=0.2)
    started = time.perf_counter()
    results = await asyncio.gather(
        conn.execute("PING"), conn.execute("PING"), return_exceptions=True
    )
    assert all(isinstance(r, RedisTimeoutError) for r in results)
    assert time.perf_counter() - started < 1.0
    await conn.aclose()
    server.close()


async def test_a_lease_must_have_a_length(gate: PolicyGate, key: CallKey) -> None:
    with pytest.raises(ValueError, match="lease_s must be positive"):
        await gate.admit(key, PolicySpec(), TenantQuota(concurrency=1), lease_s=0)
