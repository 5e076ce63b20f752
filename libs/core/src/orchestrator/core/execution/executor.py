"""Run a connector operation under its policy: validate, admit, call, record, retry.

``execute`` is the synchronous path of ``POST /api/v1/execute``: every attempt fits
inside the policy's total deadline. ``attempt_job`` is one attempt of a job; the job's
state machine spreads its retries over time instead of sleeping. A single attempt
(admission, the call, the gate told) is ``attempts.GatedAttempts``.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.connectors.public import AttemptResult, render_request, validate_payload
from orchestrator.core.deadline import paused
from orchestrator.core.errors import DeadlineExceeded, UpstreamFailed, ValidationFailed
from orchestrator.core.execution.attempts import BreakerMoved, BudgetWarning, GatedAttempts
from orchestrator.core.execution.calls import CodeCall, Execution, OutputError, Prepared
from orchestrator.core.execution.output_schema import conform
from orchestrator.core.execution.plans import ConnectorPlan, PlanCache
from orchestrator.core.execution.refusals import refusal_problem
from orchestrator.core.jsonbounds import UnreadableJson
from orchestrator.core.observability.metrics import (
    OUTPUT_SCHEMA_FAILURES,
    POLICY_REFUSALS,
    RETRIES,
    children,
)
from orchestrator.core.policy.gate import PolicyGate
from orchestrator.core.policy.keys import CallKey
from orchestrator.core.policy.retry import plan_retry
from orchestrator.core.upstream.client import UpstreamClient, UpstreamRequest
from orchestrator.core.upstream.ssrf import NetworkPolicy

IDEMPOTENCY_HEADER = "Idempotency-Key"
_REFUSALS = children(POLICY_REFUSALS)


def _with_key(request: UpstreamRequest, key: str | None) -> UpstreamRequest:
    """Carry the caller's idempotency key to the upstream, unless the connector sets one."""
    if key is None or any(name.lower() == "idempotency-key" for name in request.headers):
        return request
    return msgspec.structs.replace(request, headers={**request.headers, IDEMPOTENCY_HEADER: key})


def _conformed(prepared: Prepared, result: AttemptResult) -> AttemptResult:
    """``result`` held to the operation's output schema, a failure to it counted."""
    checked = conform(prepared.output_schema, result)
    if checked is not result:
        OUTPUT_SCHEMA_FAILURES.inc()
    return checked


def _retry_status(request: UpstreamRequest | CodeCall, result: AttemptResult) -> int | None:
    """The HTTP status the retry policy judges a retryable attempt by: the one the attempt
    names, the upstream's, or for a code handler the status its transient refusals count
    as (SMTP 4xx: 503)."""
    if result.retry_status is not None:
        return result.retry_status
    if isinstance(request, UpstreamRequest):
        return result.upstream_status
    return request.handler.transient_status


class Executor(GatedAttempts):
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
        breaker_moved: BreakerMoved | None = None,
    ) -> None:
        """``network``: the address policy code handlers connect under (HTTP calls are
        checked by ``client``); default from the environment. ``budget_warning`` announces
        the call that crosses 95 % of a workspace's monthly budget; ``breaker_moved`` a call
        that opened or closed its breaker."""
        self.plans = plans
        self.network = network or NetworkPolicy.from_env()
        self.gate = gate
        self.client = client
        self.rng = rng or random.Random()  # noqa: S311  (jitter, not secrecy)
        self.clock = clock
        self.sleep = sleep
        self.budget_warning = budget_warning
        self.breaker_moved = breaker_moved

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
            return Prepared(plan, operation, request, op.idempotent, op.output_schema)
        call = handler.render(plan.config, operation, payload, plan.secrets)
        return Prepared(plan, operation, CodeCall(handler, call), op.idempotent, op.output_schema)

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
            result = _conformed(prepared, result)
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
            output_errors=[
                OutputError(key=error["key"], message=error["message"])
                for error in result.output_errors
            ]
            if result.output_errors
            else None,
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
        result = _conformed(prepared, result)
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
