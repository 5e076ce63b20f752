"""A circuit breaker with resilience4j semantics (docs/protocols.md §3), as pure Python.

This is the reference the Redis implementation (``scripts/gate.lua``) is tested against:
both keep the same counters in integer microseconds and take the same transitions.

- Closed: every call is let through; outcomes fill a sliding window (the last N calls, or
  the last N seconds in per-second buckets). Once the window holds ``minimum_calls`` and
  the failure rate or the slow-call rate is ≥ its threshold, the breaker opens.
- Open: calls are refused, without any upstream call, until ``wait_open_s`` has passed;
  the next call then moves it to half-open.
- Half-open: ``half_open_calls`` probes are let through; when that many have reported,
  their rates close the breaker (below both thresholds) or re-open it. A probe's permit
  expires after its lease, freeing its slot, so a hanging probe cannot wedge the breaker.
- Outcomes reported for calls admitted under an earlier state are ignored.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.core.policy.model import BreakerPolicy

US = 1_000_000
HALF_OPEN_RETRY_US = US
"""The Retry-After hint while every half-open probe slot is taken."""


class BreakerState(enum.StrEnum):
    """Where a breaker is; the integer codes are those of the Lua script."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @classmethod
    def from_code(cls, code: int) -> BreakerState:
        """The state stored as ``code`` (0, 1, 2)."""
        return _STATES[code]


_STATES = (BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN)


def outcome_code(*, success: bool, slow: bool) -> int:
    """One call's outcome as stored in a count window: bit 0 failed, bit 1 slow."""
    return (0 if success else 1) + (2 if slow else 0)


def thresholds_exceeded(policy: BreakerPolicy, calls: int, failures: int, slow: int) -> bool:
    """Failure rate or slow-call rate ≥ its threshold (percent), over ``calls`` calls."""
    return (
        failures * 100 >= policy.failure_rate_threshold * calls
        or slow * 100 >= policy.slow_call_rate_threshold * calls
    )


@dataclass(frozen=True, slots=True)
class BreakerPermit:
    """The answer to one request for permission."""

    allowed: bool
    state: BreakerState
    probe: bool = False
    retry_after_us: int = 0


@dataclass
class CircuitBreaker:
    """One breaker in process memory; ``clock`` returns seconds (inject a fake in tests)."""

    policy: BreakerPolicy
    clock: Callable[[], float]
    state: BreakerState = BreakerState.CLOSED
    since_us: int = 0
    calls: int = 0
    failures: int = 0
    slow: int = 0
    head_s: int | None = None
    """The newest second of a time window."""
    probe_calls: int = 0
    probe_failures: int = 0
    probe_slow: int = 0
    probes: dict[str, int] = field(default_factory=dict)
    """Outstanding probe permits: token → expiry (µs)."""
    _ring: deque[int] = field(default_factory=deque)
    _buckets: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    """Time window: slot → (epoch second, calls, failures, slow)."""

    def now_us(self) -> int:
        """The injected clock in integer microseconds."""
        return round(self.clock() * US)

    def acquire(self, token: str, lease_s: float) -> BreakerPermit:
        """Ask to make one call; a half-open permit is held by ``token`` for ``lease_s``."""
        now = self.now_us()
        if self.state is BreakerState.OPEN:
            reopen_at = self.since_us + round(self.policy.wait_open_s * US)
            if now < reopen_at:
                return BreakerPermit(False, self.state, retry_after_us=reopen_at - now)
            self._to(BreakerState.HALF_OPEN, now)
        if self.state is BreakerState.HALF_OPEN:
            self._expire_probes(now)
            if self.probe_calls + len(self.probes) >= self.policy.half_open_calls:
                return BreakerPermit(False, self.state, retry_after_us=HALF_OPEN_RETRY_US)
            self.probes[token] = now + round(lease_s * US)
            return BreakerPermit(True, self.state, probe=True)
        return BreakerPermit(True, self.state)

    def record(self, token: str, *, probe: bool, success: bool, duration_s: float) -> None:
        """Report the outcome of a call made under the permit ``token``."""
        now = self.now_us()
        failed = 0 if success else 1
        slow = 1 if duration_s >= self.policy.slow_call_duration_s else 0
        if probe:
            self._expire_probes(now)
            if self.state is not BreakerState.HALF_OPEN or self.probes.pop(token, None) is None:
                return
            self.probe_calls += 1
            self.probe_failures += failed
            self.probe_slow += slow
            if self.probe_calls >= self.policy.half_open_calls:
                exceeded = thresholds_exceeded(
                    self.policy, self.probe_calls, self.probe_failures, self.probe_slow
                )
                self._to(BreakerState.OPEN if exceeded else BreakerState.CLOSED, now)
            return
        if self.state is not BreakerState.CLOSED:
            return
        if self.policy.window == "count":
            self._add_count(failed, slow)
        else:
            self._add_time(now // US, failed, slow)
        if self.calls >= self.policy.minimum_calls and thresholds_exceeded(
            self.policy, self.calls, self.failures, self.slow
        ):
            self._to(BreakerState.OPEN, now)

    def _expire_probes(self, now: int) -> None:
        for token in [t for t, expiry in self.probes.items() if expiry <= now]:
            del self.probes[token]

    def _to(self, state: BreakerState, now: int) -> None:
        self.state, self.since_us = state, now
        self.probe_calls = self.probe_failures = self.probe_slow = 0
        self.probes.clear()
        self._reset_window()

    def _reset_window(self) -> None:
        self.calls = self.failures = self.slow = 0
        self.head_s = None
        self._ring.clear()
        self._buckets.clear()

    def _add_count(self, failed: int, slow: int) -> None:
        self._ring.append(outcome_code(success=not failed, slow=bool(slow)))
        self.calls, self.failures, self.slow = (
            self.calls + 1,
            self.failures + failed,
            self.slow + slow,
        )
        if len(self._ring) > self.policy.window_size:
            old = self._ring.popleft()
            self.calls -= 1
            self.failures -= old % 2
            self.slow -= old // 2

    def _add_time(self, second: int, failed: int, slow: int) -> None:
        size = self.policy.window_size
        head = self.head_s
        if head is None or second - head >= size:
            self._reset_window()  # nothing in the window is recent enough to count
        elif second > head:
            for s in range(head + 1, second + 1):  # buckets leaving the window
                epoch, c, f, w = self._buckets.get(s % size, (-1, 0, 0, 0))
                if epoch == s - size:
                    self.calls, self.failures, self.slow = (
                        self.calls - c,
                        self.failures - f,
                        self.slow - w,
                    )
        else:
            second = head  # a clock step backwards lands in the newest bucket
        self.head_s = second
        slot = second % size
        epoch, c, f, w = self._buckets.get(slot, (-1, 0, 0, 0))
        if epoch != second:
            c = f = w = 0
        self._buckets[slot] = (second, c + 1, f + failed, w + slow)
        self.calls, self.failures, self.slow = (
            self.calls + 1,
            self.failures + failed,
            self.slow + slow,
        )
