"""What one attempt of a job produced, as the executor reports it to ``finish``."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Outcome = Literal["succeeded", "failed", "retryable"]


class AttemptResult(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one upstream attempt.

    ``failed`` is final (a 4xx, a bad payload); ``retryable`` may be tried again
    when attempts and the deadline allow. ``retry_after_s`` is the upstream's
    ``Retry-After``, if any; the caller folds it into the delay it passes to
    ``finish``.
    """

    outcome: Outcome
    upstream_status: int | None = None
    output: Any = None
    error: str | None = None
    retry_after_s: float | None = None
    duration_ms: float = 0.0
    retry_status: int | None = None
    """The HTTP status whose ``retry_on_status`` rule this retryable attempt follows, when a
    code handler judged it by a status of its own (Stripe's 429 or 500, where the type's
    ``transient_status`` would be too coarse); None: the usual one (see the executor)."""
    output_errors: list[dict[str, str]] | None = None
    """How ``output`` fails its operation's output schema (``{key, message}``, JSON
    pointers under ``/output``), when that made the attempt fail."""
