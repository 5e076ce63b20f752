"""How one upstream attempt ended, in the terms of the retry policy and the breaker (pure)."""

from __future__ import annotations

from typing import Any

from orchestrator.core.connectors.public import AttemptResult, parse_response_body
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.policy.retry import is_retryable, parse_retry_after
from orchestrator.core.upstream.client import (
    UpstreamConnectError,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)

# Statuses that say "not processed, come back later": safe to repeat even when the
# operation is not idempotent and no idempotency key protects it.
NOT_PROCESSED = frozenset({429})


def breaker_failure(status: int | None, error: UpstreamError | None) -> bool:
    """Whether the breaker counts this attempt as a failure of the upstream.

    Connect errors, timeouts and 5xx say the upstream is unwell; a 4xx is the
    caller's problem and a 429 is the upstream protecting itself, not failing.
    """
    if error is not None:
        return True
    return status is not None and status >= 500


def from_response(
    response: UpstreamResponse, policy: RetryPolicy, *, may_repeat: bool, now: float
) -> AttemptResult:
    """The attempt's result from the upstream's answer."""
    status = response.status
    output: Any = parse_response_body(response.headers, response.body)
    duration_ms = response.elapsed_s * 1000
    if 200 <= status < 300:
        return AttemptResult(
            outcome="succeeded", upstream_status=status, output=output, duration_ms=duration_ms
        )
    retryable = is_retryable(policy, status=status, connect_error=False, timed_out=False) and (
        may_repeat or status in NOT_PROCESSED
    )
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        upstream_status=status,
        output=output,
        error=f"http_{status}",
        retry_after_s=parse_retry_after(response.headers.get("retry-after"), now),
        duration_ms=duration_ms,
    )


def from_error(
    error: UpstreamError, policy: RetryPolicy, *, may_repeat: bool, duration_ms: float
) -> AttemptResult:
    """The attempt's result when no usable response came back."""
    if isinstance(error, UpstreamTimeout):
        retryable = may_repeat and is_retryable(
            policy, status=None, connect_error=False, timed_out=True
        )
        code = "timeout"
    elif isinstance(error, UpstreamConnectError):
        # Nothing reached the upstream: repeating is safe whatever the operation does.
        safe = may_repeat or not error.request_sent
        retryable = safe and is_retryable(policy, status=None, connect_error=True, timed_out=False)
        code = "connect_error"
    else:
        retryable, code = False, "bad_response"
    return AttemptResult(
        outcome="retryable" if retryable else "failed", error=code, duration_ms=duration_ms
    )
