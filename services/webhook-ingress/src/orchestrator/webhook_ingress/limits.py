"""A source's ``rate_limit_per_s``: the policy gate's GCRA, one key per source.

Limits in Redis are shared by every ingress replica. If Redis does not answer, a
delivery is let through (and logged): the limit protects the ingress, and refusing
verified events for it would only make every provider retry them.
"""

from __future__ import annotations

from loguru import logger
from redis.exceptions import RedisError

from orchestrator.core.policy.admission import Admission
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import CallKey
from orchestrator.core.policy.model import PolicySpec, RateLimitPolicy
from orchestrator.core.webhooks.lookup import SourcePlan

_CONNECTOR = "webhook"
"""The ``connector`` part of a source's gate key (its ``operation`` is the source id)."""
_LEASE_S = 1.0
"""Required by the gate, unused: a rate limit alone takes no concurrency lease."""


class SourceLimiter:
    """Admits deliveries under each source's own rate limit."""

    def __init__(self, gate: PolicyGate) -> None:
        self._gate = gate
        self._specs: dict[int, PolicySpec] = {}

    def _spec(self, per_s: int) -> PolicySpec:
        spec = self._specs.get(per_s)
        if spec is None:
            spec = self._specs[per_s] = PolicySpec(rate_limit=RateLimitPolicy(limit=per_s))
        return spec

    async def refusal(self, source: SourcePlan) -> dict[str, str] | None:
        """``None`` when the delivery may proceed, else the headers of the 429
        (``Retry-After`` and the ``RateLimit`` pair)."""
        if source.rate_limit_per_s is None:
            return None
        key = CallKey(source.tenant_id, _CONNECTOR, str(source.id))
        try:
            admission: Admission = await self._gate.admit(
                key, self._spec(source.rate_limit_per_s), None, lease_s=_LEASE_S
            )
        except RedisError as exc:
            logger.warning("rate limit of webhook source {} not checked: {!r}", source.id, exc)
            return None
        return None if admission.allowed else PolicyGate.headers(admission)
