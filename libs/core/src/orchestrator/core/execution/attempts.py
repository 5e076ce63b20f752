"""One attempt of a call under the policy gate: admitted, made, and told to the gate.

``GatedAttempts`` holds the part of the ``Executor`` that makes a single attempt: it asks
the gate for admission (announcing a crossed budget warning), calls the upstream over
HTTP or through the connector type's code handler, and records the attempt's end with
the gate. The ``Executor`` inherits it and decides when to attempt and when to retry.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable

from loguru import logger
from redis.exceptions import RedisError

from orchestrator.core.connectors.public import AttemptResult, SendContext
from orchestrator.core.errors import (
    PolicyStateUnavailable,
    UpstreamAddressRefused,
    UpstreamRequestUnsendable,
)
from orchestrator.core.execution import outcomes
from orchestrator.core.execution.calls import CodeCall
from orchestrator.core.execution.plans import ConnectorPlan
from orchestrator.core.observability import tracing
from orchestrator.core.observability.metrics import UPSTREAM_ATTEMPTS, children
from orchestrator.core.policy.admission import Admission
from orchestrator.core.policy.breaker import BreakerState
from orchestrator.core.policy.budget import crosses_warning
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import CallKey
from orchestrator.core.policy.timeout import attempt_timeouts
from orchestrator.core.upstream import traced
from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamClient,
    UpstreamError,
    UpstreamRefused,
    UpstreamRequest,
    UpstreamUnsendable,
)
from orchestrator.core.upstream.ssrf import NetworkPolicy

BudgetWarning = Callable[[uuid.UUID, int, int], Awaitable[None]]
"""Told ``(workspace, calls made, budget)`` when a call crosses 95 % of the budget."""
BreakerMoved = Callable[[CallKey, BreakerState], Awaitable[None]]
"""Told when an attempt's end moved its breaker (opened, re-opened or closed)."""
_ATTEMPTS = children(UPSTREAM_ATTEMPTS)


class GatedAttempts:
    """Single attempts of any tenant's calls; the ``Executor``'s constructor sets these."""

    gate: PolicyGate
    client: UpstreamClient
    network: NetworkPolicy
    clock: Callable[[], float]
    budget_warning: BudgetWarning | None
    breaker_moved: BreakerMoved | None = None

    async def _admit(self, key: CallKey, plan: ConnectorPlan) -> Admission:
        try:
            admission = await self.gate.admit(
                key, plan.spec, plan.quota, lease_s=plan.spec.timeout.total_s
            )
        except RedisError as exc:
            raise PolicyStateUnavailable(
                "The shared rate limits and breakers cannot be read; retry shortly.",
                headers={"Retry-After": "1"},
            ) from exc
        if admission.budget_used:
            await self._check_budget(plan, admission.budget_used)
        return admission

    async def _check_budget(self, plan: ConnectorPlan, used: int) -> None:
        """Announce the call that crosses 95 % of the budget; the call goes on regardless."""
        budget = plan.quota.monthly_calls
        if self.budget_warning is None or budget is None or not crosses_warning(used, budget):
            return
        try:
            await self.budget_warning(plan.tenant_id, used, budget)
        except Exception as exc:  # a lost warning must not fail the call
            logger.error("budget warning of workspace {} not recorded: {!r}", plan.tenant_id, exc)

    async def _attempt(
        self,
        key: CallKey,
        plan: ConnectorPlan,
        admission: Admission,
        request: UpstreamRequest | CodeCall,
        *,
        may_repeat: bool,
        remaining_s: float,
        idempotency_key: str | None,
    ) -> AttemptResult:
        """One admitted attempt, over HTTP or through the type's code handler."""
        if isinstance(request, UpstreamRequest):
            return await self._call(
                key, plan, admission, request, may_repeat=may_repeat, remaining_s=remaining_s
            )
        return await self._call_code(
            key,
            plan,
            admission,
            request,
            may_repeat=may_repeat,
            remaining_s=remaining_s,
            idempotency_key=idempotency_key,
        )

    async def _call(
        self,
        key: CallKey,
        plan: ConnectorPlan,
        admission: Admission,
        request: UpstreamRequest,
        *,
        may_repeat: bool,
        remaining_s: float,
    ) -> AttemptResult:
        """One admitted attempt: the upstream call, its result, and the gate told."""
        connect_s, read_s = attempt_timeouts(plan.spec.timeout, remaining_s)
        timeouts = Timeouts(connect_s=connect_s, read_s=read_s, total_s=remaining_s)
        started = self.clock()
        status: int | None = None
        error: UpstreamError | None = None
        # One place for both clients (lean, aiohttp): the CLIENT span and its header.
        span, request = traced.start(request)
        try:
            response = await self.client.request(request, timeouts)
            status = response.status
            result = outcomes.from_response(
                response, plan.spec.retry, may_repeat=may_repeat, now=time.time()
            )
        except UpstreamUnsendable as exc:
            raise UpstreamRequestUnsendable(str(exc)) from exc
        except UpstreamRefused as exc:
            raise UpstreamAddressRefused(str(exc)) from exc
        except UpstreamError as exc:
            error = exc
            result = outcomes.from_error(
                exc,
                plan.spec.retry,
                may_repeat=may_repeat,
                duration_ms=(self.clock() - started) * 1000,
            )
        finally:
            tracing.end_client_span(span, status, None if error is None else type(error).__name__)
            if admission.holds_anything or plan.spec.breaker is not None:  # else nothing to tell
                success = not outcomes.breaker_failure(status, error)
                await self._tell_gate(key, plan, admission, success, started)
        _ATTEMPTS(result.outcome, result.error or "").inc()
        return result

    async def _tell_gate(
        self, key: CallKey, plan: ConnectorPlan, admission: Admission, success: bool, started: float
    ) -> None:
        """Record an attempt's end with the gate (its lease, the breaker)."""
        # On a Redis failure the lease and probe permit expire by themselves.
        with contextlib.suppress(RedisError):
            moved = await self.gate.record(
                key, plan.spec, admission, success=success, duration_s=self.clock() - started
            )
            if moved is not None and self.breaker_moved is not None:
                await self.breaker_moved(key, moved)

    async def _call_code(
        self,
        key: CallKey,
        plan: ConnectorPlan,
        admission: Admission,
        code: CodeCall,
        *,
        may_repeat: bool,
        remaining_s: float,
        idempotency_key: str | None,
    ) -> AttemptResult:
        """One admitted attempt through a code handler, told to the gate like ``_call``."""
        connect_s, read_s = attempt_timeouts(plan.spec.timeout, remaining_s)
        context = SendContext(
            timeouts=Timeouts(connect_s=connect_s, read_s=read_s, total_s=remaining_s),
            retry=plan.spec.retry,
            may_repeat=may_repeat,
            idempotency_key=idempotency_key,
            scope=f"{plan.tenant_id}/{plan.name}",
            network=self.network,
            client=self.client,
        )
        handler = code.handler
        started = self.clock()
        span = tracing.start_client_span(*handler.describe(code.call))
        result: AttemptResult | None = None
        try:
            result = await handler.send(code.call, context)
        except UpstreamUnsendable as exc:  # a header value HTTP cannot carry (an HTTP type)
            raise UpstreamRequestUnsendable(str(exc)) from exc
        except UpstreamRefused as exc:
            raise UpstreamAddressRefused(str(exc)) from exc
        finally:
            failed = result is not None and result.outcome != "succeeded"
            tracing.end_client_span(span, None, result.error if failed and result else None)
            if admission.holds_anything or plan.spec.breaker is not None:
                success = result is None or not handler.breaker_failure(result)
                await self._tell_gate(key, plan, admission, success, started)
        _ATTEMPTS(result.outcome, result.error or "").inc()
        return result
