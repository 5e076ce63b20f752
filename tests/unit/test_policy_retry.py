"""Retries: full-jitter bounds, Retry-After parsing and the total deadline (pure, seeded)."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from orchestrator.core.policy.model import RetryPolicy, TimeoutPolicy
from orchestrator.core.policy.retry import (
    MAX_RETRY_AFTER_S,
    backoff_delay,
    fits_deadline,
    is_retryable,
    next_delay,
    parse_retry_after,
    plan_retry,
)
from orchestrator.core.policy.timeout import attempt_timeouts

POLICY = RetryPolicy(max_attempts=10, base_delay_s=0.1, max_delay_s=2.0)
NOW = 1_750_000_000.0


@pytest.mark.parametrize("attempt", range(1, 9))
def test_backoff_stays_within_full_jitter_bounds(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(POLICY.max_delay_s, POLICY.base_delay_s * 2 ** (attempt - 1))
    delays = [backoff_delay(POLICY, attempt, rng) for _ in range(400)]
    assert all(0.0 <= d <= ceiling for d in delays)
    assert len(set(delays)) == len(delays)
    # Full jitter spreads over the whole range; equal jitter would never go below half.
    assert min(delays) < ceiling / 4
    assert max(delays) > ceiling * 3 / 4


def test_backoff_is_reproducible_with_a_seed_and_caps_huge_attempts() -> None:
    first = [backoff_delay(POLICY, a, random.Random(7)) for a in range(1, 6)]
    again = [backoff_delay(POLICY, a, random.Random(7)) for a in range(1, 6)]
    assert first == again
    assert backoff_delay(POLICY, 10_000, random.Random(1)) <= POLICY.max_delay_s


def test_backoff_attempts_start_at_one() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        backoff_delay(POLICY, 0, random.Random(1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        (b"7", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-1", None),
        ("+5", None),
        ("5e3", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("Mon, 99 Foo 2020 00:00:00 GMT", None),
        ("99999999999", MAX_RETRY_AFTER_S),
    ],
)
def test_retry_after_delta_seconds_and_garbage(
    value: str | bytes | None, expected: float | None
) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_http_dates() -> None:
    assert parse_retry_after(formatdate(NOW + 30, usegmt=True), NOW) == pytest.approx(30.0)
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOW) == 0.0
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", NOW) == 0.0
    assert parse_retry_after("Sun Nov  6 08:49:37 1994", NOW) == 0.0
    far = formatdate(NOW + 10 * MAX_RETRY_AFTER_S, usegmt=True)
    assert parse_retry_after(far, NOW) == MAX_RETRY_AFTER_S


@pytest.mark.parametrize(
    ("status", "connect_error", "timed_out", "expected"),
    [
        (503, False, False, True),
        (429, False, False, True),
        (408, False, False, True),
        (500, False, False, True),
        (501, False, False, False),
        (400, False, False, False),
        (200, False, False, False),
        (None, True, False, True),
        (None, False, True, True),
        (None, False, False, False),
    ],
)
def test_only_retryable_outcomes_are_retried(
    status: int | None, connect_error: bool, timed_out: bool, expected: bool
) -> None:
    assert (
        is_retryable(POLICY, status=status, connect_error=connect_error, timed_out=timed_out)
        is expected
    )


def test_policy_can_turn_off_connect_and_timeout_retries() -> None:
    strict = RetryPolicy(retry_on_status=(503,), retry_on_connect_error=False)
    assert not is_retryable(strict, status=None, connect_error=True, timed_out=False)
    assert not is_retryable(strict, status=None, connect_error=False, timed_out=True)
    assert is_retryable(strict, status=503, connect_error=False, timed_out=False)


def test_retry_after_sets_the_earliest_next_attempt() -> None:
    rng = random.Random(3)
    assert next_delay(POLICY, 1, rng, 3.0) == 3.0  # far above the 0.1 s jitter ceiling
    jitter = backoff_delay(POLICY, 4, random.Random(9))
    assert next_delay(POLICY, 4, random.Random(9), 0.0) == jitter  # the jitter is longer
    ignoring = RetryPolicy(honour_retry_after=False)
    assert next_delay(ignoring, 1, random.Random(3), 3.0) <= ignoring.base_delay_s


def test_next_attempt_is_refused_when_it_would_pass_the_deadline() -> None:
    rng = random.Random(5)
    assert plan_retry(POLICY, attempts_made=1, rng=rng, remaining_s=0.5, status=503) is not None
    assert (
        plan_retry(POLICY, attempts_made=1, rng=rng, remaining_s=2.0, status=429, retry_after_s=2.0)
        is None
    )
    assert (
        plan_retry(POLICY, attempts_made=1, rng=rng, remaining_s=0.5, status=503, min_attempt_s=0.5)
        is None
    )
    assert fits_deadline(1.0, 0.4, min_attempt_s=0.5)
    assert not fits_deadline(1.0, 0.6, min_attempt_s=0.5)


def test_no_retry_when_attempts_are_spent_or_the_outcome_is_final() -> None:
    rng = random.Random(5)
    three = RetryPolicy(max_attempts=3)
    assert plan_retry(three, attempts_made=2, rng=rng, remaining_s=60, status=503) is not None
    assert plan_retry(three, attempts_made=3, rng=rng, remaining_s=60, status=503) is None
    assert plan_retry(three, attempts_made=1, rng=rng, remaining_s=60, status=404) is None


def test_attempt_timeouts_never_outlast_the_deadline() -> None:
    policy = TimeoutPolicy(connect_s=2.0, read_s=10.0, total_s=30.0)
    assert attempt_timeouts(policy, 30.0) == (2.0, 10.0)
    assert attempt_timeouts(policy, 1.5) == (1.5, 1.5)
    assert attempt_timeouts(policy, -1.0) == (0.0, 0.0)
