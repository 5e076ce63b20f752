"""Run a connector operation under its policy: validate, admit, call, record, retry.

``execute`` is the synchronous path of ``POST /api/v1/execute``: every attempt fits
inside the policy's total deadline. ``attempt_job`` is one attempt of a job; the job's
state machine spreads its retries over time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from loguru import logger
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.connectors.handlers import CodeHandler, SendContext
from orchestrator.core.connectors.http_type import render_request
from orchestrator.core.connectors.ssrf import NetworkPolicy
from orchestrator.core.connectors.validation import validate_payload
from orchestrator.core.deadline import paused
from orchestrator.core.errors import (
    BudgetSpent,
    CircuitOpen,
    DeadlineExceeded,
    PolicyStateUnavailable,
    RateLimited,
    UpstreamAddressRefused,
    UpstreamFailed,
    UpstreamRequestUnsendable,
    ValidationFailed,
)
from orchestrator.core.execution import outcomes
from orchestrator.core.execution.plans import ConnectorPlan, PlanCache
from orchestrator.core.jobs.results import AttemptResult
from orchestrator.core.jsonbounds import UnreadableJson
from orchestrator.core.observability import tracing
from orchestrator.core.observability.metrics import (
    POLICY_REFUSALS,
    RETRIES,
    UPSTREAM_ATTEMPTS,
    children,
)
from orchestrator.core.policy.admission import Admission
from orchestrator.core.policy.budget import crosses_warning, period_at
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import CallKey
from orchestrator.core.policy.retry import plan_retry
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

IDEMPOTENCY_HEADER = "Idempotency-Key"
BudgetWarning = Callable[[uuid.UUID, int, int], Awaitable[None]]
"""Told ``(workspace, calls made, budget)`` when a call crosses 95 % of the budget."""
_ATTEMPTS = children(UPSTREAM_ATTEMPTS)
_REFUSALS = children(POLICY_REFUSALS)


class Execution(msgspec.Struct, frozen=True, kw_only=True):
    """The body of a ``POST /api/v1/execute`` that reached a final upstream answer."""

    status: Literal["succeeded", "failed"]
    output: Any
    upstream_status: int | None
    attempts: int
    duration_ms: float


@dataclass(frozen=True, slots=True)
class CodeCall:
    """A call rendered by a connector type's code handler (any type but ``http``)."""

    handler: CodeHandler
    call: Any


@dataclass(frozen=True, slots=True)
class Prepared:
    """A call that passed validation: its connector plan and the rendered request."""

    plan: ConnectorPlan
    operation: str
    request: UpstreamRequest | CodeCall
    idempotent: bool


class QueueInstead(Exception):
    """The breaker is open and the policy degrades by queueing the call as a delayed job."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(f"queue with a delay of {delay_s:g} s")
        self.delay_s = delay_s


def _with_key(request: UpstreamRequest, key: str | None) -> UpstreamRequest:
    """Carry the caller's idempotency key to the upstream, unless the connector sets one."""
    if key is None or any(name.lower() == "idempotency-key" for name in request.headers):
        return request
    return msgspec.structs.replace(request, headers={**request.headers, IDEMPOTENCY_HEADER: key})


def _retry_status(request: UpstreamRequest | CodeCall, result: AttemptResult) -> int | None:
    """The HTTP status the retry policy judges a retryable attempt by: the upstream's, or
    for a code handler the status its transient refusals count as (SMTP 4xx: 503)."""
    if isinstance(request, UpstreamRequest):
        return result.upstream_status
    return request.handler.transient_status


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


class Executor:
    """Runs operations of any tenant's connectors; one per process."""

    def __init__(
        self,
        plans: PlanCache,
        gate: PolicyGate,
        client: UpstreamClient,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        network: NetworkPolicy | None = None,
        budget_warning: BudgetWarning | None = None,
    ) -> None:
        """``network``: the address policy code handlers connect under (HTTP calls are
        checked by ``client``); default from the environment. ``budget_warning`` announces
        the call that crosses 95 % of a workspace's monthly budget."""
        self.plans = plans
        self.network = network or NetworkPolicy.from_env()
        self.gate = gate
        self.client = client
        self.rng = rng or random.Random()  # noqa: S311  (jitter, not secrecy)
        self.clock = clock
        self.sleep = sleep
        self.budget_warning = budget_warning

    async def prepare(
        self,
        tenant_id: uuid.UUID,
        connector: str,
        operation: str,
        payload: Any,
        *,
        session: AsyncSession | None = None,
    ) -> Prepared:
        """Look the operation up, validate the payload and render the request (404/422).

        ``session``: the caller's tenant-scoped session, if it holds one (see ``PlanCache``).
        """
        plan = await self.plans.get(tenant_id, connector, session=session)
        op = plan.operation(operation)
        if isinstance(payload, UnreadableJson):  # stored before ORCH_MAX_JSON_DEPTH held
            raise ValidationFailed(
                "The stored payload nests too deeply to be sent.",
                errors=[{"key": "/payload", "message": payload["detail"]}],
            )
        validate_payload(op.payload_schema, payload)
        handler = plan.handler
        if handler is None:
            request = render_request(plan.config, operation, payload, plan.secrets)
            return Prepared(plan, operation, request, op.idempotent)
        call = handler.render(plan.config, operation, payload, plan.secrets)
        return Prepared(plan, operation, CodeCall(handler, call), op.idempotent)

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
            await self.gate.record(
                key, plan.spec, admission, success=success, duration_s=self.clock() - started
            )

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
        )
        handler = code.handler
        started = self.clock()
        span = tracing.start_client_span(*handler.describe(code.call))
        result: AttemptResult | None = None
        try:
            result = await handler.send(code.call, context)
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

    async def execute(self, prepared: Prepared, *, idempotency_key: str | None = None) -> Execution:
        """Run a prepared call now, retrying inside the total deadline; a problem on failure.

        The policy's total deadline bounds it: an HTTP request's own deadline pauses.
        """
        with paused(prepared.plan.spec.timeout.total_s):
            return await self._execute(prepared, idempotency_key)

    async def _execute(self, prepared: Prepared, idempotency_key: str | None) -> Execution:
        started = self.clock()
        plan = prepared.plan
        request = prepared.request
        if isinstance(request, UpstreamRequest):
            request = _with_key(request, idempotency_key)
        may_repeat = prepared.idempotent or idempotency_key is not None
        deadline = started + plan.spec.timeout.total_s
        key = CallKey(plan.tenant_id, plan.name, prepared.operation)
        attempts = 0
        while True:
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise DeadlineExceeded(
                    f"No answer within {plan.spec.timeout.total_s:g} s.", attempts=attempts
                )
            admission = await self._admit(key, plan)
            if not admission.allowed:
                _REFUSALS(admission.reason or "").inc()
                refusal = refusal_problem(self.gate, admission, plan)
                delay = admission.retry_after_s
                # Mid-retry, a short refusal is waited out like a Retry-After.
                if attempts == 0 or delay is None or delay >= deadline - self.clock():
                    raise refusal
                await self.sleep(delay)
                continue
            attempts += 1
            if attempts > 1:
                RETRIES.inc()
            result = await self._attempt(
                key,
                plan,
                admission,
                request,
                may_repeat=may_repeat,
                remaining_s=remaining,
                idempotency_key=idempotency_key,
            )
            if result.outcome != "retryable":
                return self._final(result, attempts, started)
            delay = plan_retry(
                plan.spec.retry,
                attempts_made=attempts,
                rng=self.rng,
                remaining_s=deadline - self.clock(),
                status=_retry_status(request, result),
                connect_error=result.error == "connect_error",
                timed_out=result.error == "timeout",
                retry_after_s=result.retry_after_s,
            )
            if delay is None:
                raise self._gave_up(result, attempts, plan)
            await self.sleep(delay)

    def _final(self, result: AttemptResult, attempts: int, started: float) -> Execution:
        # A 4xx is the upstream's final word on this request: reported, not an error of
        # ours. No answer, or a 5xx not safe to repeat, is the upstream failing: a 502.
        status = result.upstream_status
        if result.outcome == "failed" and (status is None or status >= 500):
            raise UpstreamFailed(
                f"The upstream call failed ({result.error}).",
                attempts=attempts,
                upstream_status=status,
                error=result.error,
            )
        return Execution(
            status="succeeded" if result.outcome == "succeeded" else "failed",
            output=result.output,
            upstream_status=result.upstream_status,
            attempts=attempts,
            duration_ms=round((self.clock() - started) * 1000, 3),
        )

    @staticmethod
    def _gave_up(
        result: AttemptResult, attempts: int, plan: ConnectorPlan
    ) -> DeadlineExceeded | UpstreamFailed:
        if result.error == "timeout":
            return DeadlineExceeded(
                f"The upstream did not answer within the policy's timeouts "
                f"(total {plan.spec.timeout.total_s:g} s).",
                attempts=attempts,
                error=result.error,
            )
        return UpstreamFailed(
            f"The upstream call failed after {attempts} attempt(s) ({result.error}).",
            attempts=attempts,
            upstream_status=result.upstream_status,
            error=result.error,
        )

    async def attempt_job(
        self,
        tenant_id: uuid.UUID,
        connector: str,
        operation: str,
        payload: Any,
        *,
        job_id: uuid.UUID,
        attempts_made: int,
    ) -> tuple[AttemptResult, float | None]:
        """One attempt of a job, and the delay before the next one (``None``: do not retry).

        The job id is the upstream's idempotency key, so a repeated attempt (a retry, or
        a redelivery after a worker crash) has one side effect at the upstream.
        """
        prepared = await self.prepare(tenant_id, connector, operation, payload)
        plan = prepared.plan
        request = prepared.request
        if isinstance(request, UpstreamRequest):
            request = _with_key(request, str(job_id))
        key = CallKey(tenant_id, plan.name, operation)
        admission = await self._admit(key, plan)
        if not admission.allowed:
            _REFUSALS(admission.reason or "").inc()
            # Refused before anything was sent: try again when the gate says, at no
            # cost to the job's attempts budget beyond this one. A spent monthly budget
            # would say "next month": the job's retries run out and it waits in the DLQ
            # instead, to be replayed once the budget is raised or renewed.
            wait = admission.retry_after_s or plan.spec.retry.base_delay_s
            if admission.reason == "quota_budget":
                wait = plan.spec.retry.base_delay_s
            return AttemptResult(outcome="retryable", error=admission.reason), wait
        result = await self._attempt(
            key,
            plan,
            admission,
            request,
            may_repeat=True,
            remaining_s=plan.spec.timeout.total_s,
            idempotency_key=str(job_id),
        )
        if result.outcome != "retryable":
            return result, None
        delay = plan_retry(
            plan.spec.retry,
            attempts_made=attempts_made + 1,
            rng=self.rng,
            remaining_s=float("inf"),
            status=_retry_status(request, result),
            connect_error=result.error == "connect_error",
            timed_out=result.error == "timeout",
            retry_after_s=result.retry_after_s,
        )
        return result, delay
