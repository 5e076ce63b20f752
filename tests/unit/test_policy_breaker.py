"""The circuit breaker's state machine (resilience4j semantics) on a fake clock."""

from __future__ import annotations

import itertools

import pytest

from orchestrator.core.policy.breaker import BreakerPermit, BreakerState, CircuitBreaker
from orchestrator.core.policy.model import BreakerPolicy

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN


class FakeClock:
    """Seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


_tokens = (f"t{i}" for i in itertools.count())


def breaker(**options: object) -> tuple[CircuitBreaker, FakeClock]:
    defaults: dict[str, object] = {
        "window_size": 10,
        "minimum_calls": 10,
        "wait_open_s": 30.0,
        "half_open_calls": 3,
        "slow_call_duration_s": 1.0,
    }
    clock = FakeClock()
    return CircuitBreaker(BreakerPolicy(**(defaults | options)), clock), clock  # type: ignore[arg-type]


def call(
    b: CircuitBreaker, *, ok: bool = True, duration_s: float = 0.01, lease_s: float = 10.0
) -> BreakerPermit:
    """One whole call: ask, and report the outcome when let through."""
    token = next(_tokens)
    permit = b.acquire(token, lease_s)
    if permit.allowed:
        b.record(token, probe=permit.probe, success=ok, duration_s=duration_s)
    return permit


def open_breaker(b: CircuitBreaker) -> None:
    for _ in range(b.policy.minimum_calls):
        call(b, ok=False)
    assert b.state is OPEN


def test_opens_exactly_at_the_failure_threshold_after_minimum_calls() -> None:
    b, _ = breaker()
    states = []
    for ok in [False] * 5 + [True] * 5:
        call(b, ok=ok)
        states.append(b.state)
    # 5 failures in 10 calls is 50 %: the tenth call, and not one before, opens it.
    assert states == [CLOSED] * 9 + [OPEN]


def test_a_rate_just_below_the_threshold_keeps_it_closed() -> None:
    b, _ = breaker()
    for ok in [False] * 4 + [True] * 20:
        call(b, ok=ok)
    assert b.state is CLOSED
    assert (b.calls, b.failures) == (10, 0)


def test_minimum_calls_holds_back_even_a_total_failure() -> None:
    b, _ = breaker(window_size=20, minimum_calls=10)
    for _ in range(9):
        call(b, ok=False)
    assert b.state is CLOSED
    call(b, ok=False)
    assert b.state is OPEN


def test_slow_calls_count_towards_the_slow_call_rate() -> None:
    b, _ = breaker(slow_call_rate_threshold=50.0)
    for duration in [1.0] * 4 + [0.1] * 5:
        call(b, ok=True, duration_s=duration)
    assert b.state is CLOSED
    assert b.slow == 4
    call(b, ok=True, duration_s=1.5)  # the fifth slow call of ten
    assert b.state is OPEN


def test_a_slow_failure_counts_as_both() -> None:
    b, _ = breaker(minimum_calls=2, window_size=2, slow_call_rate_threshold=100.0)
    call(b, ok=False, duration_s=5.0)
    assert (b.failures, b.slow) == (1, 1)


def test_open_refuses_until_the_wait_has_passed() -> None:
    b, clock = breaker(wait_open_s=30.0)
    open_breaker(b)
    clock.advance(10.0)
    refused = b.acquire("early", 5.0)
    assert not refused.allowed
    assert refused.state is OPEN
    assert refused.retry_after_us == 20_000_000
    clock.advance(19.999)
    assert not b.acquire("still-early", 5.0).allowed
    clock.advance(0.001)
    probe = b.acquire("probe", 5.0)
    assert probe.allowed
    assert probe.probe
    assert b.state is HALF_OPEN


def test_half_open_admits_no_more_than_the_permitted_probes_and_they_close_it() -> None:
    b, clock = breaker(half_open_calls=3)
    open_breaker(b)
    clock.advance(30.0)
    permits = [b.acquire(f"p{i}", 5.0) for i in range(4)]
    assert [p.allowed for p in permits] == [True, True, True, False]
    assert permits[3].state is HALF_OPEN
    for i in range(2):
        b.record(f"p{i}", probe=True, success=True, duration_s=0.1)
        assert b.state is HALF_OPEN
        # A reported probe still uses its slot: the verdict waits for all three.
        assert not b.acquire(f"extra{i}", 5.0).allowed
    b.record("p2", probe=True, success=True, duration_s=0.1)
    assert b.state is CLOSED
    assert b.calls == 0  # a fresh window


def test_failing_probes_reopen_it() -> None:
    b, clock = breaker(half_open_calls=3)
    open_breaker(b)
    clock.advance(30.0)
    for i, ok in enumerate([True, False, False]):
        assert b.acquire(f"p{i}", 5.0).allowed
        b.record(f"p{i}", probe=True, success=ok, duration_s=0.1)
    assert b.state is OPEN
    assert not b.acquire("after", 5.0).allowed
    clock.advance(30.0)
    assert b.acquire("next-round", 5.0).probe


def test_slow_probes_reopen_it() -> None:
    b, clock = breaker(half_open_calls=2, slow_call_rate_threshold=50.0)
    open_breaker(b)
    clock.advance(30.0)
    call(b, ok=True, duration_s=0.1)
    call(b, ok=True, duration_s=2.0)
    assert b.state is OPEN


def test_an_expired_probe_permit_frees_its_slot() -> None:
    b, clock = breaker(half_open_calls=1)
    open_breaker(b)
    clock.advance(30.0)
    assert b.acquire("hanging", 2.0).allowed
    assert not b.acquire("blocked", 2.0).allowed
    clock.advance(2.0)
    assert b.acquire("fresh", 2.0).allowed
    b.record("hanging", probe=True, success=False, duration_s=60.0)  # too late: ignored
    assert b.state is HALF_OPEN
    b.record("fresh", probe=True, success=True, duration_s=0.1)
    assert b.state is CLOSED


def test_a_probe_reported_after_its_permit_expired_is_ignored() -> None:
    b, clock = breaker(half_open_calls=2)
    open_breaker(b)
    clock.advance(30.0)
    assert b.acquire("held", 60.0).allowed
    assert b.acquire("late", 2.0).allowed
    clock.advance(2.0)  # no acquire in between to sweep the expired permit
    b.record("late", probe=True, success=False, duration_s=0.1)
    b.record("held", probe=True, success=True, duration_s=0.1)
    assert b.state is HALF_OPEN  # one probe of two: the late failure did not count
    assert b.probe_calls == 1


def test_the_count_window_slides_over_the_last_calls() -> None:
    b, _ = breaker(window_size=4, minimum_calls=4, failure_rate_threshold=75.0)
    for ok in [False, False, True, True, True, False, False]:
        call(b, ok=ok)
        assert b.state is CLOSED
    assert (b.calls, b.failures) == (4, 2)  # T T F F after the first three slid out
    call(b, ok=False)
    assert b.state is OPEN


def test_the_time_window_forgets_calls_older_than_its_seconds() -> None:
    b, clock = breaker(window="time", window_size=2, minimum_calls=4)
    call(b, ok=False)
    call(b, ok=False)
    clock.advance(1.0)
    call(b, ok=False)
    assert (b.calls, b.failures) == (3, 3)
    clock.advance(1.0)  # the first second leaves the window
    call(b, ok=True)
    assert (b.calls, b.failures) == (2, 1)
    call(b, ok=True)
    assert b.state is CLOSED  # 1 failure in 3 calls: below the minimum
    call(b, ok=False)  # 2 failures in 4 calls
    assert b.state is OPEN


def test_a_long_pause_empties_the_time_window() -> None:
    b, clock = breaker(window="time", window_size=5, minimum_calls=3)
    call(b, ok=False)
    call(b, ok=False)
    clock.advance(3600.0)
    call(b, ok=False)
    assert (b.calls, b.failures, b.state) == (1, 1, CLOSED)


def test_outcomes_of_calls_admitted_before_it_opened_are_ignored() -> None:
    b, _ = breaker()
    early = b.acquire("early", 5.0)
    open_breaker(b)
    since = b.since_us
    b.record("early", probe=early.probe, success=False, duration_s=0.1)
    assert (b.state, b.since_us, b.calls) == (OPEN, since, 0)


@pytest.mark.parametrize("window", ["count", "time"])
def test_a_closed_breaker_starts_afresh(window: str) -> None:
    b, clock = breaker(window=window, half_open_calls=1)
    open_breaker(b)
    clock.advance(30.0)
    call(b, ok=True)
    assert b.state is CLOSED
    for _ in range(9):
        call(b, ok=False)
    assert b.state is CLOSED  # nine calls: the failures before it opened are gone
