"""The policy gate: quotas, budget, rate limit and breaker checked in Redis, one round trip
per step.

``admit`` runs every check in one Lua script (``scripts/gate.lua``) and takes nothing
unless all pass, so a call refused by one check costs the others nothing. ``record`` gives
back the concurrency lease and feeds the breaker, again in one script. State lives in
Redis under the gate's namespace and is shared by every replica; time is Redis' own
(``TIME``), so replicas with skewed clocks still agree.

What "success" means is the caller's business: the gate only counts what it is told.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from orchestrator.core.policy.admission import ALLOWED, Admission, RateLimitInfo, RefusalReason
from orchestrator.core.policy.breaker import BreakerState
from orchestrator.core.policy.budget import BudgetPeriod, PeriodClock
from orchestrator.core.policy.gcra import US, GcraParams
from orchestrator.core.policy.headers import admission_headers
from orchestrator.core.policy.keys import CallKey, GateKeys, gate_keys
from orchestrator.core.policy.model import PolicySpec, TenantQuota
from orchestrator.core.policy.resp import Arg, RespConnection, bulks

SCRIPT: Final = (resources.files("orchestrator.core.policy") / "scripts" / "gate.lua").read_text(
    encoding="utf-8"
)
SCRIPT_SHA: Final = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()

_REASONS: tuple[RefusalReason | None, ...] = (
    None,
    "quota_rps",
    "quota_concurrency",
    "rate_limited",
    "breaker_open",
    "quota_budget",
)
_ADMIT_ARGS = 14
_RECORD_ARGS = 13
_PLAN_CACHE_SIZE = 10_000
MOVED = 10
"""Added to a record's reply when that record moved the breaker (``scripts/gate.lua``)."""
_FLAG = (b"$1\r\n0\r\n", b"$1\r\n1\r\n")


def _token_bulk(token: str) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(token), token.encode())


def _head(keys: GateKeys, mode: str, argc: int) -> bytes:
    """``EVALSHA <sha> 7 <keys…> <mode>`` of a command with ``argc`` script arguments."""
    return b"*%d\r\n" % (3 + len(keys) + argc) + bulks(
        ("EVALSHA", SCRIPT_SHA, len(keys), *keys, mode)
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything about a script call that does not change from call to call, encoded once."""

    keys: GateKeys
    args: tuple[Arg, ...]
    """The fixed script arguments, after the call's own."""
    head: bytes
    tail: bytes


def _encoded(
    keys: GateKeys, mode: str, argc: int, args: tuple[Arg, ...]
) -> tuple[GateKeys, tuple[Arg, ...], bytes, bytes]:
    """A ``_Plan``'s fields: the call's keys and fixed ``args``, with the bytes before and
    after its own."""
    return keys, args, _head(keys, mode, argc), bulks(args)


@dataclass(frozen=True, slots=True)
class _AdmitPlan(_Plan):
    """An admit's plan, with what its reply is read against."""

    tenant_limit: GcraParams | None
    operation_limit: GcraParams | None
    concurrency: bool


@dataclass(frozen=True, slots=True)
class _RecordPlan(_Plan):
    """A record's plan, with the breaker's slow-call bound."""

    slow_s: float


_P = TypeVar("_P", _AdmitPlan, _RecordPlan)


def _remember(cache: dict[tuple[Any, ...], _P], key: tuple[Any, ...], plan: _P) -> _P:
    """Cache ``plan``, emptying a full cache first (plans are cheap to make again)."""
    if len(cache) >= _PLAN_CACHE_SIZE:
        cache.clear()
    cache[key] = plan
    return plan


class PolicyGate:
    """Admits and records calls under a ``PolicySpec`` and a tenant's quota."""

    def __init__(self, redis: Redis, namespace: str, *, multiplex: bool = True) -> None:
        """Keys go under ``namespace``; ``multiplex`` sends the hot path over one lean
        pipelined connection (``resp.py``) instead of redis-py's pool where it can."""
        if "{" in namespace or "}" in namespace:
            raise ValueError("the namespace must not contain braces (they mark the hash tag)")
        self._redis = redis
        self._namespace = namespace
        self._conn = RespConnection.from_redis(redis) if multiplex else None
        self._keys: dict[CallKey, GateKeys] = {}
        self._admit_plans: dict[tuple[Any, ...], _AdmitPlan] = {}
        self._record_plans: dict[tuple[Any, ...], _RecordPlan] = {}
        # Tokens name leases and probe permits: unique per process, then per call.
        self._token_prefix = os.urandom(6).hex()
        self._counter = itertools.count()
        self._periods = PeriodClock()

    @property
    def multiplexed(self) -> bool:
        """Whether the hot path bypasses redis-py (false for TLS or a credential provider)."""
        return self._conn is not None

    @property
    def round_trips(self) -> int | None:
        """Commands sent over the multiplexed connection (``None`` without it)."""
        return None if self._conn is None else self._conn.commands_sent

    async def aclose(self) -> None:
        """Close the gate's own connection (the Redis client stays the caller's)."""
        if self._conn is not None:
            await self._conn.aclose()

    def keys(self, key: CallKey) -> GateKeys:
        """The Redis keys of one call."""
        keys = self._keys.get(key)
        if keys is None:
            if len(self._keys) >= _PLAN_CACHE_SIZE:
                self._keys.clear()
            keys = self._keys[key] = gate_keys(self._namespace, key)
        return keys

    async def _script(self, keys: GateKeys, args: tuple[Arg, ...], packed: bytes) -> Any:
        """EVALSHA, or EVAL (which also caches the script) after a Redis restart or flush."""
        conn = self._conn
        if conn is not None:
            try:
                return await conn.execute_packed(packed)
            except NoScriptError:
                return await conn.execute("EVAL", SCRIPT, len(keys), *keys, *args)
        try:
            return await self._redis.evalsha(SCRIPT_SHA, len(keys), *keys, *args)
        except NoScriptError:
            return await self._redis.eval(SCRIPT, len(keys), *keys, *args)

    async def _command(self, *args: Arg) -> Any:
        if self._conn is not None:
            return await self._conn.execute(*args)
        return await self._redis.execute_command(*args)  # type: ignore[no-untyped-call]

    def _admit_plan(
        self,
        key: CallKey,
        spec: PolicySpec,
        quota: TenantQuota | None,
        lease_us: int,
        period: BudgetPeriod | None,
    ) -> _AdmitPlan:
        cache_key = (key, spec, quota, lease_us, period)
        plan = self._admit_plans.get(cache_key)
        if plan is not None:
            return plan
        rps = quota.rps if quota is not None else None
        concurrency = quota.concurrency if quota is not None else None
        budget = quota.monthly_calls if quota is not None else None
        tenant = None if rps is None else GcraParams.of(rps, 1.0)
        operation = None if spec.rate_limit is None else GcraParams.of_policy(spec.rate_limit)
        breaker = spec.breaker
        args: tuple[Arg, ...] = (
            lease_us,
            0 if tenant is None else tenant.emission_us,
            0 if tenant is None else tenant.tolerance_us,
            concurrency or 0,
            0 if operation is None else operation.emission_us,
            0 if operation is None else operation.tolerance_us,
            0 if breaker is None else 1,
            0 if breaker is None else round(breaker.wait_open_s * US),
            0 if breaker is None else breaker.half_open_calls,
            budget or 0,
            0 if period is None else period.id,
            0 if period is None else round(period.ends_at_s * US),
        )
        plan = _AdmitPlan(
            *_encoded(self.keys(key), "a", _ADMIT_ARGS, args),
            tenant_limit=tenant,
            operation_limit=operation,
            concurrency=concurrency is not None,
        )
        return _remember(self._admit_plans, cache_key, plan)

    async def admit(
        self, key: CallKey, spec: PolicySpec, quota: TenantQuota | None, *, lease_s: float
    ) -> Admission:
        """Check the tenant's monthly budget, rps and concurrency, the operation's rate limit
        and the breaker; a call let through is counted against the budget.

        ``lease_s`` (the call's total timeout) bounds the concurrency lease and the probe
        permit, so a caller that dies without ``record`` frees them when it passes.
        """
        if not lease_s > 0:
            raise ValueError("lease_s must be positive: it bounds how long a slot is held")
        if (
            spec.rate_limit is None
            and spec.breaker is None
            and (
                quota is None
                or (quota.rps is None and quota.concurrency is None and quota.monthly_calls is None)
            )
        ):
            return ALLOWED
        period = None
        if quota is not None and quota.monthly_calls is not None:
            period = self._periods.at(time.time())
        plan = self._admit_plan(key, spec, quota, round(lease_s * US), period)
        token = f"{self._token_prefix}{next(self._counter):x}"
        reply = await self._script(
            plan.keys, ("a", token, *plan.args), plan.head + _token_bulk(token) + plan.tail
        )
        allowed, reason, retry_after_us, which, remaining, reset_us, state, probe, used = reply
        info = None
        if which:
            limit = plan.operation_limit if which == 1 else plan.tenant_limit
            assert limit is not None
            info = RateLimitInfo(limit.limit, limit.period_s, remaining, reset_us / US)
        return Admission(
            allowed=allowed == 1,
            reason=_REASONS[reason],
            retry_after_s=retry_after_us / US if retry_after_us else None,
            rate_limit=info,
            breaker=None if state < 0 else BreakerState.from_code(state),
            token=token,
            lease=allowed == 1 and plan.concurrency,
            probe=probe == 1,
            budget_used=used,
        )

    def _record_plan(self, key: CallKey, spec: PolicySpec) -> _RecordPlan:
        cache_key = (key, spec)
        plan = self._record_plans.get(cache_key)
        if plan is not None:
            return plan
        breaker = spec.breaker
        assert breaker is not None
        args: tuple[Arg, ...] = (
            1,
            "c" if breaker.window == "count" else "t",
            breaker.window_size,
            breaker.minimum_calls,
            repr(breaker.failure_rate_threshold),
            repr(breaker.slow_call_rate_threshold),
            breaker.half_open_calls,
        )
        plan = _RecordPlan(
            *_encoded(self.keys(key), "r", _RECORD_ARGS, args), slow_s=breaker.slow_call_duration_s
        )
        return _remember(self._record_plans, cache_key, plan)

    async def record(
        self,
        key: CallKey,
        spec: PolicySpec,
        admission: Admission,
        *,
        success: bool,
        duration_s: float,
    ) -> BreakerState | None:
        """Give back the lease and feed the breaker (slow: ``duration_s`` ≥ its slow duration);
        the state this record moved the breaker to (opened, re-opened or closed), else None."""
        if not admission.allowed or (spec.breaker is None and not admission.lease):
            return None
        if spec.breaker is None:
            await self._command("ZREM", self.keys(key).tenant_leases, admission.token)
            return None
        plan = self._record_plan(key, spec)
        lease, probe = int(admission.lease), int(admission.probe)
        failed, slow = int(not success), int(duration_s >= plan.slow_s)
        packed = b"".join(
            (
                plan.head,
                _token_bulk(admission.token),
                _FLAG[lease],
                _FLAG[probe],
                _FLAG[failed],
                _FLAG[slow],
                plan.tail,
            )
        )
        args = ("r", admission.token, lease, probe, failed, slow, *plan.args)
        reply = int(await self._script(plan.keys, args, packed))
        return BreakerState.from_code(reply - MOVED) if reply >= MOVED else None

    async def breaker_state(self, key: CallKey, spec: PolicySpec) -> BreakerState:
        """The stored state of the call's breaker (closed when the policy has none).

        An open breaker whose wait has passed stays ``open`` here until a call moves it to
        half-open, as in resilience4j.
        """
        if spec.breaker is None:
            return BreakerState.CLOSED
        code = await self._command("HGET", self.keys(key).breaker, "s")
        return BreakerState.from_code(int(code) if code is not None else 0)

    @staticmethod
    def headers(admission: Admission) -> dict[str, str]:
        """``Retry-After``, ``RateLimit`` and ``RateLimit-Policy`` for the response."""
        return admission_headers(admission)
