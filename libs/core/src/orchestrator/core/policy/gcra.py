"""GCRA (generic cell rate algorithm), the pure reference of ``scripts/gate.lua``.

Times are integer microseconds so that Python and Lua (doubles, exact below 2**53)
compute the same numbers. See docs/protocols.md §4:
``T = period/limit``, ``tau = T*burst``, ``tat' = max(tat, now) + T``; refuse when
``tat' - now > tau`` with ``Retry-After = tat' - tau - now``; else store ``tat'``.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.core.policy.model import RateLimitPolicy, TenantQuota

US = 1_000_000


@dataclass(frozen=True, slots=True)
class GcraParams:
    """One limit in the units the algorithm uses."""

    limit: int
    period_s: float
    emission_us: int
    """T: the interval between two requests at the sustained rate."""
    tolerance_us: int
    """tau: how far ahead of now the theoretical arrival time may run (``T * burst``)."""

    @classmethod
    def of(cls, limit: int, period_s: float, burst: int | None = None) -> GcraParams:
        """``limit`` requests per ``period_s``, ``burst`` (default ``limit``) at once."""
        emission = max(1, round(period_s * US / limit))
        return cls(limit, period_s, emission, emission * (burst or limit))

    @classmethod
    def of_policy(cls, policy: RateLimitPolicy) -> GcraParams:
        """The parameters of an operation's rate limit."""
        return cls.of(policy.limit, policy.period_s, policy.burst)

    @classmethod
    def of_quota(cls, quota: TenantQuota) -> GcraParams | None:
        """A tenant's requests per second, bursting one second's worth; ``None`` if unlimited."""
        return None if quota.rps is None else cls.of(quota.rps, 1.0)


@dataclass(frozen=True, slots=True)
class GcraDecision:
    """The outcome of one request against one limit."""

    allowed: bool
    tat_us: int
    """The theoretical arrival time to store (unchanged when refused)."""
    retry_after_us: int
    """0 when allowed."""
    remaining: int
    """Requests that would still be admitted right now."""
    reset_us: int
    """Until the limit is fully replenished."""


def gcra_decide(params: GcraParams, tat_us: int | None, now_us: int) -> GcraDecision:
    """Admit or refuse one request at ``now_us`` given the stored ``tat_us`` (``None``: none)."""
    t, tau = params.emission_us, params.tolerance_us
    tat = now_us if tat_us is None else max(tat_us, now_us)
    new_tat = tat + t
    if new_tat - now_us > tau:
        return GcraDecision(
            allowed=False,
            tat_us=tat,
            retry_after_us=new_tat - tau - now_us,
            remaining=max(0, (tau - (tat - now_us)) // t),
            reset_us=tat - now_us,
        )
    return GcraDecision(
        allowed=True,
        tat_us=new_tat,
        retry_after_us=0,
        remaining=(tau - (new_tat - now_us)) // t,
        reset_us=new_tat - now_us,
    )
