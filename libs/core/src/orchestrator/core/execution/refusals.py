"""What a call the policy gate refused becomes: a problem for the caller, or a delayed job.

A spent monthly budget is a ``BudgetSpent``, an open breaker a ``CircuitOpen`` (or
``QueueInstead`` when the policy degrades by queueing), any other refusal a
``RateLimited``; each carries the gate's rate-limit headers.
"""

from __future__ import annotations

import time

from orchestrator.core.errors import BudgetSpent, CircuitOpen, RateLimited
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.policy.admission import Admission
from orchestrator.core.policy.budget import period_at
from orchestrator.core.policy.gate import PolicyGate


class QueueInstead(Exception):
    """The breaker is open and the policy degrades by queueing the call as a delayed job."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(f"queue with a delay of {delay_s:g} s")
        self.delay_s = delay_s


def refusal_problem(
    gate: PolicyGate, admission: Admission, plan: ConnectorPlan
) -> RateLimited | BudgetSpent | CircuitOpen | QueueInstead:
    """What a refused admission becomes for the caller."""
    headers = gate.headers(admission)
    if admission.reason == "quota_budget":
        period = period_at(time.time())
        return BudgetSpent(
            f"This workspace has made its {plan.quota.monthly_calls} upstream calls for "
            f"{period.name}; calls resume at {period.ends_at:%Y-%m-%dT%H:%M:%SZ}.",
            headers=headers,
            budget=plan.quota.monthly_calls,
            resets_at=period.ends_at.isoformat().replace("+00:00", "Z"),
        )
    if admission.reason == "breaker_open":
        degradation = plan.spec.degradation
        if degradation.mode == "queue":
            return QueueInstead(max(degradation.queue_delay_s, admission.retry_after_s or 0.0))
        return CircuitOpen(
            f"Calls to `{plan.name}` are paused while its upstream recovers.", headers=headers
        )
    return RateLimited(f"Too many calls ({admission.reason}); retry later.", headers=headers)
