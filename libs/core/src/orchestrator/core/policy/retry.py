"""Retries: capped exponential backoff with full jitter, retryable outcomes and ``Retry-After``.

Pure functions; the clock and the random number generator are passed in, so tests can
seed them. ``attempt`` counts retries: attempt 1 is the first retry (the second call).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from email.utils import parsedate_to_datetime

from orchestrator.core.policy.model import RetryPolicy

MAX_RETRY_AFTER_S = 86_400.0
"""An upstream asking for more than a day is treated as asking for a day."""

_DELTA_SECONDS = re.compile(r"\d{1,12}(?:\.\d{1,6})?")
_MAX_EXPONENT = 62
"""Beyond this the cap has long been reached; avoids float overflow for huge attempts."""


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Full jitter: ``uniform(0, min(max_delay_s, base_delay_s * 2**(attempt-1)))``."""
    if attempt < 1:
        raise ValueError("attempt counts retries and starts at 1")
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** min(attempt - 1, _MAX_EXPONENT))
    return rng.uniform(0.0, ceiling)


def parse_retry_after(
    value: str | bytes | None, now: float, *, max_s: float = MAX_RETRY_AFTER_S
) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date) at ``now``.

    ``now`` is Unix seconds. Garbage and negative values give ``None``; a date in the past
    gives 0; anything longer than ``max_s`` is clamped to it.
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if _DELTA_SECONDS.fullmatch(text):
        return min(float(text), max_s)
    if text[0] in "+-" or text[0].isdigit():
        return None  # a signed or malformed number, not a date
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime dates carry no zone; HTTP-dates are always GMT
        when = when.replace(tzinfo=dt.UTC)
    return min(max(when.timestamp() - now, 0.0), max_s)


def is_retryable(
    policy: RetryPolicy, *, status: int | None, connect_error: bool, timed_out: bool
) -> bool:
    """Whether one attempt's outcome may be retried under ``policy``.

    A connect error never reached the upstream, so it follows ``retry_on_connect_error``.
    A read timeout counts as the statuses that mean the same (408, 504): retried only if
    the policy retries those.
    """
    if connect_error:
        return policy.retry_on_connect_error
    if timed_out:
        return 408 in policy.retry_on_status or 504 in policy.retry_on_status
    return status is not None and status in policy.retry_on_status


def next_delay(
    policy: RetryPolicy, attempt: int, rng: random.Random, retry_after_s: float | None
) -> float:
    """The wait before retry ``attempt``: the jittered backoff, or longer if the upstream asked."""
    delay = backoff_delay(policy, attempt, rng)
    if policy.honour_retry_after and retry_after_s is not None:
        return max(delay, retry_after_s)
    return delay


def fits_deadline(remaining_s: float, delay_s: float, *, min_attempt_s: float = 0.0) -> bool:
    """Whether an attempt starting after ``delay_s`` still has ``min_attempt_s`` before the deadline."""
    return delay_s + min_attempt_s < remaining_s


def plan_retry(
    policy: RetryPolicy,
    *,
    attempts_made: int,
    rng: random.Random,
    remaining_s: float,
    status: int | None = None,
    connect_error: bool = False,
    timed_out: bool = False,
    retry_after_s: float | None = None,
    min_attempt_s: float = 0.0,
) -> float | None:
    """The delay before the next attempt, or ``None`` when the caller should give up.

    Gives up when the outcome is not retryable, the attempts are spent, or the next
    attempt would start (plus ``min_attempt_s``) past the total deadline.
    """
    if attempts_made >= policy.max_attempts:
        return None
    if not is_retryable(policy, status=status, connect_error=connect_error, timed_out=timed_out):
        return None
    delay = next_delay(policy, attempts_made, rng, retry_after_s)
    if not math.isfinite(delay) or not fits_deadline(
        remaining_s, delay, min_attempt_s=min_attempt_s
    ):
        return None
    return delay
