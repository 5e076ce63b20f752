"""Reading what the policy gate keeps in Redis, for people: breakers and rate limits.

The gate (``gate.py``, ``scripts/gate.lua``) is the only writer; this module only reads,
in one pipeline for any number of operations, and interprets the stored numbers as the
script does: integer microseconds on Redis' own clock (``TIME``), a breaker hash of
state ``s`` (0 closed, 1 open, 2 half-open) since ``t``, its closed window's calls ``n``,
failures ``f`` and slow calls ``w`` (``cfg`` naming the window they were counted in,
``h`` a time window's newest second), its half-open probes' ``hn``/``hf``/``hw``, and a
rate limit's theoretical arrival time (GCRA).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from orchestrator.core.policy.breaker import BreakerState
from orchestrator.core.policy.gcra import US, GcraParams
from orchestrator.core.policy.keys import CallKey, gate_keys, gate_namespace
from orchestrator.core.policy.model import BreakerPolicy, PolicySpec, RateLimitPolicy

_BREAKER_FIELDS = ("s", "t", "n", "f", "w", "h", "cfg", "hn", "hf", "hw")


@dataclass(frozen=True, slots=True)
class BreakerView:
    """One operation's breaker as stored now."""

    state: BreakerState
    since: dt.datetime | None
    """When it entered ``state``; None for a breaker that never left closed."""
    open_until: dt.datetime | None
    """For an open breaker: when the next call is let through as a probe. An open
    breaker past that instant stays ``open`` until a call moves it, as in resilience4j."""
    calls: int
    """Closed: calls in its current window; half-open: probes reported; open: 0."""
    failures: int
    slow: int


@dataclass(frozen=True, slots=True)
class RateLimitView:
    """One operation's rate limit and how much of it is free now."""

    limit: int
    period_s: float
    burst: int
    remaining: int
    """Calls that would be let through right now."""
    reset_s: float
    """Seconds until the whole burst is free again."""


@dataclass(frozen=True, slots=True)
class OperationState:
    """The gate's state of one connector operation; None where its policy has no such check."""

    key: CallKey
    breaker: BreakerView | None
    rate_limit: RateLimitView | None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _instant(us: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(us / US, dt.UTC)


def window_config(policy: BreakerPolicy) -> str:
    """The ``cfg`` the script stores for a window: its kind letter and size (``c100``)."""
    return f"{'c' if policy.window == 'count' else 't'}{policy.window_size}"


def breaker_view(policy: BreakerPolicy, stored: Sequence[Any], now_us: int) -> BreakerView:
    """The breaker a hash's ``_BREAKER_FIELDS`` describe (all None: never written)."""
    state_code, since, n, f, w, head, cfg, hn, hf, hw = stored
    state = BreakerState.from_code(_int(state_code) or 0)
    since_us = _int(since)
    calls = failures = slow = 0
    if state is BreakerState.HALF_OPEN:
        calls, failures, slow = _int(hn) or 0, _int(hf) or 0, _int(hw) or 0
    elif state is BreakerState.CLOSED and _text(cfg) == window_config(policy):
        # Counts of another window (the policy changed) are dropped by the next call, and a
        # time window none of whose seconds is recent enough counts nothing.
        head_s = _int(head)
        stale = (
            policy.window == "time"
            and head_s is not None
            and now_us // US - head_s >= policy.window_size
        )
        if not stale:
            calls, failures, slow = _int(n) or 0, _int(f) or 0, _int(w) or 0
    open_until = None
    if state is BreakerState.OPEN and since_us is not None:
        open_until = _instant(since_us + round(policy.wait_open_s * US))
    return BreakerView(
        state=state,
        since=None if since_us is None else _instant(since_us),
        open_until=open_until,
        calls=calls,
        failures=failures,
        slow=slow,
    )


def rate_limit_view(policy: RateLimitPolicy, tat: Any, now_us: int) -> RateLimitView:
    """The limit's use given its stored theoretical arrival time (None: unused lately)."""
    params = GcraParams.of_policy(policy)
    ahead = max((_int(tat) or now_us) - now_us, 0)
    t, tau = params.emission_us, params.tolerance_us
    return RateLimitView(
        limit=params.limit,
        period_s=params.period_s,
        burst=tau // t,
        remaining=max(0, (tau - ahead) // t),
        reset_s=ahead / US,
    )


async def read_operation_states(
    redis: Redis,
    namespace: str,
    tenant_id: uuid.UUID,
    operations: Sequence[tuple[str, str, PolicySpec]],
) -> list[OperationState]:
    """The breaker and rate limit of each ``(connector, operation, spec)``, in order, read in
    one round trip. ``namespace`` is the deployment's Redis namespace."""
    gate = gate_namespace(namespace)
    pipe = redis.pipeline(transaction=False)
    pipe.time()
    for connector, operation, spec in operations:
        keys = gate_keys(gate, CallKey(tenant_id, connector, operation))
        if spec.breaker is not None:
            pipe.hmget(keys.breaker, list(_BREAKER_FIELDS))
        if spec.rate_limit is not None:
            pipe.get(keys.rate_limit)
    replies = iter(await pipe.execute())
    seconds, micros = next(replies)
    now_us = int(seconds) * US + int(micros)
    states = []
    for connector, operation, spec in operations:
        breaker = rate = None
        if spec.breaker is not None:
            breaker = breaker_view(spec.breaker, next(replies), now_us)
        if spec.rate_limit is not None:
            rate = rate_limit_view(spec.rate_limit, next(replies), now_us)
        states.append(OperationState(CallKey(tenant_id, connector, operation), breaker, rate))
    return states
