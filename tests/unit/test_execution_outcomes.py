"""How an attempt's answer or error is classified for retries and the breaker."""

from __future__ import annotations

import pytest

from orchestrator.core.execution.outcomes import breaker_failure, from_error, from_response
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.upstream.client import (
    UpstreamBadResponse,
    UpstreamConnectError,
    UpstreamResponse,
    UpstreamTimeout,
)

POLICY = RetryPolicy()


def answer(status: int, **headers: str) -> UpstreamResponse:
    return UpstreamResponse(
        status=status,
        headers={"content-type": "application/json", **headers},
        body=b'{"ok": false}',
        elapsed_s=0.01,
    )


@pytest.mark.parametrize(
    ("status", "may_repeat", "outcome"),
    [
        (200, False, "succeeded"),
        (201, True, "succeeded"),
        (404, True, "failed"),
        (400, True, "failed"),
        (503, True, "retryable"),
        (503, False, "failed"),  # maybe processed: not repeated without a key
        (429, False, "retryable"),  # not processed: always safe to repeat
        (500, True, "retryable"),
        (501, True, "failed"),  # not in the policy's retryable statuses
    ],
)
def test_a_response_is_classified_by_status_and_safety(
    status: int, may_repeat: bool, outcome: str
) -> None:
    result = from_response(answer(status), POLICY, may_repeat=may_repeat, now=0.0)
    assert result.outcome == outcome
    assert result.upstream_status == status
    assert result.output == {"ok": False}


def test_retry_after_is_read_from_the_response() -> None:
    result = from_response(answer(429, **{"retry-after": "7"}), POLICY, may_repeat=True, now=0.0)
    assert result.retry_after_s == 7


def test_a_connect_error_before_sending_is_always_safe_to_repeat() -> None:
    unsent = UpstreamConnectError("refused", request_sent=False)
    sent = UpstreamConnectError("reset", request_sent=True)
    assert from_error(unsent, POLICY, may_repeat=False, duration_ms=1).outcome == "retryable"
    assert from_error(sent, POLICY, may_repeat=False, duration_ms=1).outcome == "failed"
    assert from_error(sent, POLICY, may_repeat=True, duration_ms=1).outcome == "retryable"


def test_timeouts_follow_the_policy_and_bad_responses_are_final() -> None:
    timeout = UpstreamTimeout("read", 1.0)
    assert from_error(timeout, POLICY, may_repeat=True, duration_ms=1).error == "timeout"
    assert from_error(timeout, POLICY, may_repeat=True, duration_ms=1).outcome == "retryable"
    no_timeouts = RetryPolicy(retry_on_status=(503,))
    assert from_error(timeout, no_timeouts, may_repeat=True, duration_ms=1).outcome == "failed"
    bad = UpstreamBadResponse("too large")
    assert from_error(bad, POLICY, may_repeat=True, duration_ms=1).outcome == "failed"


def test_the_breaker_counts_errors_and_5xx_but_not_4xx() -> None:
    assert breaker_failure(None, UpstreamTimeout("total", 1.0))
    assert breaker_failure(502, None)
    assert not breaker_failure(404, None)
    assert not breaker_failure(429, None)
    assert not breaker_failure(200, None)
