"""What the gate answers to one call: let through or refused, why, and what to tell the client."""

from __future__ import annotations

from typing import Literal

import msgspec

from orchestrator.core.policy.breaker import BreakerState

RefusalReason = Literal[
    "rate_limited", "quota_rps", "quota_concurrency", "quota_budget", "breaker_open"
]


class RateLimitInfo(msgspec.Struct, frozen=True, gc=False):
    """The limit that applied to a call, for the ``RateLimit`` headers."""

    limit: int
    window_s: float
    remaining: int
    reset_s: float
    """Seconds until the limit is fully replenished."""


class Admission(msgspec.Struct, frozen=True, gc=False):
    """The gate's answer; pass it back to ``PolicyGate.record`` after the call."""

    allowed: bool
    reason: RefusalReason | None = None
    retry_after_s: float | None = None
    """Exact seconds; the ``Retry-After`` header rounds it up."""
    rate_limit: RateLimitInfo | None = None
    """The refusing limit, or the tightest one that let the call through."""
    breaker: BreakerState | None = None
    """``None`` when the policy has no breaker."""
    token: str = ""
    """Names the concurrency lease and the probe permit taken for this call."""
    lease: bool = False
    probe: bool = False
    budget_used: int = 0
    """The workspace's calls this month, this one included (0 without a budget)."""

    @property
    def holds_anything(self) -> bool:
        """Whether ``record`` has a lease or a probe permit to give back."""
        return self.lease or self.probe


ALLOWED = Admission(allowed=True)
"""The answer when no check applies (no quota, rate limit or breaker)."""
