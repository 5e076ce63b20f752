"""Reading the gate's Redis state for people: the stored numbers mean what the script and
its pure references (``breaker.py``, ``gcra.py``) say they mean."""

from __future__ import annotations

import datetime as dt

from orchestrator.core.policy.breaker import BreakerState
from orchestrator.core.policy.gcra import US, GcraParams, gcra_decide
from orchestrator.core.policy.inspect import breaker_view, rate_limit_view, window_config
from orchestrator.core.policy.model import BreakerPolicy, RateLimitPolicy

NOW_US = 1_800_000_000 * US
COUNT = BreakerPolicy(window="count", window_size=10, minimum_calls=5, wait_open_s=30)
TIME = BreakerPolicy(window="time", window_size=60, minimum_calls=5)


def stored(**fields: object) -> list[object]:
    """An ``HMGET`` reply of the breaker hash (bytes, as Redis answers)."""
    order = ("s", "t", "n", "f", "w", "h", "cfg", "hn", "hf", "hw")
    return [None if fields.get(k) is None else str(fields[k]).encode() for k in order]


def test_a_breaker_never_written_is_closed_with_an_empty_window() -> None:
    view = breaker_view(COUNT, stored(), NOW_US)
    assert view.state is BreakerState.CLOSED
    assert (view.since, view.open_until, view.calls, view.failures, view.slow) == (
        None,
        None,
        0,
        0,
        0,
    )


def test_a_closed_breaker_shows_its_window_of_the_current_policy_only() -> None:
    counted = stored(s=0, n=4, f=3, w=1, cfg=window_config(COUNT))
    view = breaker_view(COUNT, counted, NOW_US)
    assert (view.calls, view.failures, view.slow) == (4, 3, 1)
    assert window_config(COUNT) == "c10"
    # Counted in another window (the policy changed since): the next call starts afresh.
    assert breaker_view(COUNT, stored(s=0, n=4, f=3, cfg="c20"), NOW_US).calls == 0


def test_a_time_window_none_of_whose_seconds_is_recent_counts_nothing() -> None:
    head = NOW_US // US
    fresh = stored(s=0, n=6, f=2, h=head - 59, cfg="t60")
    assert breaker_view(TIME, fresh, NOW_US).calls == 6
    stale = stored(s=0, n=6, f=2, h=head - 60, cfg="t60")
    assert breaker_view(TIME, stale, NOW_US).calls == 0


def test_an_open_breaker_says_when_it_lets_a_probe_through() -> None:
    opened = NOW_US - 10 * US
    view = breaker_view(COUNT, stored(s=1, t=opened, n=0, f=0, w=0), NOW_US)
    assert view.state is BreakerState.OPEN
    assert view.since == dt.datetime.fromtimestamp(opened / US, dt.UTC)
    assert view.open_until == dt.datetime.fromtimestamp((opened + 30 * US) / US, dt.UTC)
    assert view.calls == 0


def test_a_half_open_breaker_shows_its_probes() -> None:
    view = breaker_view(COUNT, stored(s=2, t=NOW_US, hn=1, hf=1, hw=0, n=9, f=9), NOW_US)
    assert view.state is BreakerState.HALF_OPEN
    assert (view.calls, view.failures, view.open_until) == (1, 1, None)


def test_a_rate_limits_remaining_calls_are_what_the_gate_would_still_admit() -> None:
    policy = RateLimitPolicy(limit=5, period_s=60)
    unused = rate_limit_view(policy, None, NOW_US)
    assert (unused.limit, unused.burst, unused.remaining, unused.reset_s) == (5, 5, 5, 0)
    params = GcraParams.of_policy(policy)
    tat = None
    for _ in range(2):
        tat = gcra_decide(params, tat, NOW_US).tat_us
    used = rate_limit_view(policy, str(tat).encode(), NOW_US)
    assert used.remaining == gcra_decide(params, tat, NOW_US).remaining + 1 == 3
    assert used.reset_s == 24
    # A theoretical arrival time in the past is a fully replenished limit.
    assert rate_limit_view(policy, str(NOW_US - US).encode(), NOW_US).remaining == 5
