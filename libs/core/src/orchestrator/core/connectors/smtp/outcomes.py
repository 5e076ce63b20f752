"""SMTP replies and failures as the executor's attempt results, and what the breaker counts.

Until ``DATA`` nothing of the message can have been delivered, so a failure there is
retried under the policy's rules; from ``DATA`` on only when repeating is safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from orchestrator.core.connectors.handlers import SendContext
from orchestrator.core.connectors.results import AttemptResult
from orchestrator.core.policy.retry import is_retryable

TRANSIENT_STATUS = 503
"""SMTP 4xx ("try again later") follows the retry policy's rule for HTTP 503."""

Stage = Literal["connect", "envelope", "data"]
"""How far an attempt got: until ``data`` nothing of the message can have been delivered."""


def reply_outcome(
    code: int, message: str, stage: Stage, context: SendContext, *, duration_ms: float
) -> AttemptResult:
    """An SMTP error reply as an attempt result.

    4xx is transient: retried under the rule for HTTP 503, freely before ``DATA`` (the
    server took nothing) and only when repeating is safe from ``DATA`` on. 5xx (and any
    other code) is permanent: failed, not retried.
    """
    transient = 400 <= code < 500
    safe = context.may_repeat or stage != "data"
    retryable = (
        transient
        and safe
        and is_retryable(
            context.retry, status=TRANSIENT_STATUS, connect_error=False, timed_out=False
        )
    )
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        output={"smtp_code": code, "smtp_message": message, "stage": stage},
        error=f"smtp_{code}",
        duration_ms=duration_ms,
    )


def lost_outcome(
    kind: Literal["connect_error", "timeout"],
    stage: Stage,
    context: SendContext,
    *,
    duration_ms: float,
) -> AttemptResult:
    """No usable reply: the connection failed or a timeout expired at ``stage``."""
    safe = context.may_repeat or stage != "data"
    retryable = safe and is_retryable(
        context.retry,
        status=None,
        connect_error=kind == "connect_error",
        timed_out=kind == "timeout",
    )
    return AttemptResult(
        outcome="retryable" if retryable else "failed",
        output={"stage": stage},
        error=kind,
        duration_ms=duration_ms,
    )


def refused_outcome(
    refused: Mapping[str, tuple[int, str]], context: SendContext, *, duration_ms: float
) -> AttemptResult:
    """Every recipient refused: transient if any refusal is (nothing was sent)."""
    codes = [code for code, _ in refused.values()]
    code = next((c for c in codes if 400 <= c < 500), codes[0])
    result = reply_outcome(code, "all recipients refused", "envelope", context, duration_ms=0.0)
    return msgspec.structs.replace(
        result, output={**result.output, "refused": refusals(refused)}, duration_ms=duration_ms
    )


def refusals(refused: Mapping[str, tuple[int, str]]) -> dict[str, dict[str, Any]]:
    """The refused recipients as the output reports them: ``{address: {code, message}}``."""
    return {address: {"code": code, "message": text} for address, (code, text) in refused.items()}


def breaker_failure(result: AttemptResult) -> bool:
    """No answer or a transient refusal says the server is unwell; a 5xx is about the email."""
    error = result.error
    if result.outcome == "succeeded" or error is None:
        return False
    return error in ("connect_error", "timeout") or error.startswith("smtp_4")
