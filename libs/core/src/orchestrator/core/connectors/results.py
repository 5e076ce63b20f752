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
    output_errors: list[dict[str, str]] | None = None
    """How ``output`` fails its operation's output schema (``{key, message}``, JSON
    pointers under ``/output``), when that made the attempt fail."""
