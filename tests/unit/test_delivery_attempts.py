"""What follows a callback or forward attempt (pure)."""

from __future__ import annotations

import random

from orchestrator.core.callbacks.delivery import CallbackPolicy, after_attempt

POLICY = CallbackPolicy(max_attempts=3, base_delay_s=2.0, max_delay_s=5.0)


def test_a_delivered_attempt_ends_the_delivery() -> None:
    assert after_attempt(POLICY, 1, delivered=True) == ("delivered", None)


def test_a_failed_attempt_waits_within_the_full_jitter_ceiling() -> None:
    rng = random.Random(7)
    for attempt, ceiling in ((1, 2.0), (2, 4.0)):
        state, delay = after_attempt(POLICY, attempt, delivered=False, rng=rng)
        assert state == "pending"
        assert delay is not None
        assert 0.0 <= delay <= ceiling


def test_the_last_failed_attempt_gives_up() -> None:
    assert after_attempt(POLICY, 3, delivered=False) == ("failed", None)
