"""Stripe's answers and failures as the executor's attempt results, and what the breaker counts.

The decision, in order (Stripe's own libraries decide the same way):

1. ``Stripe-Should-Retry: true`` or ``false`` is Stripe's word and overrides the rest;
2. a ``card_error`` is final: the card was declined, asking again declines it again;
3. a 429 (rate limit) and a 5xx are retried, under the policy's rule for that status;
4. any other error (invalid request, authentication, permission, idempotency) is final.

No answer at all (Stripe's libraries call it ``api_connection_error``) is retried under
the policy's rule for connect errors and timeouts: reads may always be repeated, and a
write carries the same ``Idempotency-Key`` on each attempt. ``Retry-After`` is passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator.core.connectors.http.responses import parse_response_body
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.policy.model import RetryPolicy
from orchestrator.core.policy.retry import is_retryable, parse_retry_after
from orchestrator.core.upstream.client import (
    UpstreamConnectError,
    UpstreamError,
    UpstreamResponse,
    UpstreamTimeout,
)

TRANSIENT_STATUS = 503
"""``Stripe-Should-Retry: true`` on a status no rule names (a 409 lock) follows the 503 rule."""
SHOULD_RETRY_HEADER = "stripe-should-retry"
CONNECTION_ERROR = "api_connection_error"
REDACTED = b"[redacted]"
_KIND_BY_STATUS = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def should_retry(headers: Mapping[str, str]) -> bool | None:
    """``Stripe-Should-Retry`` as a bool; None when absent or neither ``true`` nor ``false``."""
    value = (headers.get(SHOULD_RETRY_HEADER) or "").strip().lower()
    return {"true": True, "false": False}.get(value)


def error_object(body: Any) -> dict[str, Any]:
    """Stripe's ``error`` member of an error answer; empty when the body has none."""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def error_kind(status: int, error: Mapping[str, Any]) -> str:
    """The kind of error, as Stripe's libraries name it (``card_error``, ``rate_limit_error``,
    ``authentication_error``, ...): by status where the status says, else by ``type``."""
    kind = _KIND_BY_STATUS.get(status) or error.get("type")
    return kind if isinstance(kind, str) and kind else "api_error"


def retry_status(status: int, kind: str, header: bool | None) -> int | None:
    """The status whose retry rule a Stripe error follows; None when it is final."""
    if header is not None:
        if not header:
            return None
        return status if status == 429 or status >= 500 else TRANSIENT_STATUS
    if kind == "card_error":
        return None
    return status if status == 429 or status >= 500 else None


def answer_outcome(
    response: UpstreamResponse, policy: RetryPolicy, *, secret: str, now: float
) -> AttemptResult:
    """The attempt's result from Stripe's answer; ``secret`` never reaches the output."""
    status, headers = response.status, response.headers
    body = parse_response_body(headers, response.body.replace(secret.encode(), REDACTED))
    duration_ms = response.elapsed_s * 1000
    if 200 <= status < 300:
        return AttemptResult(
            outcome="succeeded", upstream_status=status, output=body, duration_ms=duration_ms
        )
    error = error_object(body)
    kind = error_kind(status, error)
    judged_by = retry_status(status, kind, should_retry(headers))
    retryable = judged_by is not None and is_retryable(
        policy, status=judged_by, connect_error=False, timed_out=False
    )
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        upstream_status=status,
        output=body if error else {"error": {"type": kind, "message": body}},
        error=f"stripe_{kind}",
        retry_after_s=parse_retry_after(headers.get("retry-after"), now),
        retry_status=judged_by if retryable else None,
        duration_ms=duration_ms,
    )


def lost_outcome(error: UpstreamError, policy: RetryPolicy, *, duration_ms: float) -> AttemptResult:
    """No usable answer: the connection failed, a timeout expired, the answer was too large."""
    timed_out = isinstance(error, UpstreamTimeout)
    connect_error = isinstance(error, UpstreamConnectError)
    retryable = (timed_out or connect_error) and is_retryable(
        policy, status=None, connect_error=connect_error, timed_out=timed_out
    )
    code = "timeout" if timed_out else "connect_error" if connect_error else "bad_response"
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        output={"error": {"type": CONNECTION_ERROR, "message": str(error)}},
        error=code,
        duration_ms=duration_ms,
    )


def breaker_failure(result: AttemptResult) -> bool:
    """No answer or a 5xx says Stripe is unwell; a 4xx (a 429 too) is about the request."""
    if result.outcome == "succeeded":
        return False
    status = result.upstream_status
    return status is None or status >= 500
