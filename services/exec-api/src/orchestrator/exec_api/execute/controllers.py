"""``POST /api/v1/execute``: validate, admit, call the upstream with retries, answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec

from orchestrator.core.auth.claims import EXEC_AUDIENCE, Principal
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.execution.calls import Execution, Prepared
from orchestrator.core.execution.refusals import QueueInstead
from orchestrator.core.http.auth import authenticated, guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.idempotency.guard import idempotent
from orchestrator.core.jobs import submission
from orchestrator.exec_api.execute.schemas import ExecuteRequest
from orchestrator.exec_api.jobs.controllers import IdempotencyKey, job_location
from orchestrator.exec_api.jobs.schemas import JobAccepted
from orchestrator.exec_api.plane import Plane, plane_of

PATH = "/api/v1/execute"
EXECUTE_LOCK_S = 300.0
"""How long a request that died keeps its key in flight (above any policy's deadline)."""


async def queue_instead(
    plane: Plane, prepared: Prepared, data: ExecuteRequest, delay_s: float
) -> JobAccepted:
    """Degrade an open breaker into a delayed job (the policy's ``queue`` mode)."""
    tenant_id = prepared.plan.tenant_id
    async with plane.resources.sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        submitted = await submission.submit(
            session,
            plane.waker,
            tenant_id,
            submission.NewJob(
                connector=data.connector,
                operation=data.operation,
                payload=data.payload,
                delay_ms=int(delay_s * 1000),
            ),
            network=plane.network,
            plan=prepared.plan,
        )
    return JobAccepted(id=submitted.id, status=submitted.status.value)


@dataclass(frozen=True)
class Called:
    """What a call came to: its execution (200), or the job it was queued as (202)."""

    status: int
    body: Execution | JobAccepted
    location: str | None = None


async def call_now(
    plane: Plane, prepared: Prepared, data: ExecuteRequest, idempotency_key: str | None = None
) -> Called:
    """Call the upstream under the policy, or queue the call if the policy says so.

    Both routes of ``POST /api/v1/execute`` (this module's and ``fast.py``) answer with it.
    """
    try:
        return Called(200, await plane.executor.execute(prepared, idempotency_key=idempotency_key))
    except QueueInstead as queued:
        job = await queue_instead(plane, prepared, data, queued.delay_s)
        return Called(202, job, job_location(job.id))


@post(
    PATH,
    opt=guarded(authenticated(EXEC_AUDIENCE, "execute")),
    # One dependency: Litestar resolves two of the same level concurrently, in an anyio
    # task group per request, which costs more here than both lookups themselves.
    dependencies={"principal": provide_principal},
    status_code=200,
    tags=["execute"],
    security=[{"bearer": []}],
    responses={
        200: ResponseSpec(
            Execution,
            description="The upstream's final answer: status succeeded, or failed (a final "
            "non-2xx, or an answer failing the operation's output schema)",
            generate_examples=False,
        ),
        202: ResponseSpec(
            JobAccepted,
            description="The breaker is open and the policy queues calls: a delayed job",
            generate_examples=False,
        ),
        **problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 502, 503, 504),
    },
)
async def execute(
    request: Request[Any, Any, Any],
    data: ExecuteRequest,
    principal: Principal,
    idempotency_key: IdempotencyKey = None,
) -> Response[Any]:
    """Run one operation now. ``status`` is ``failed`` when the upstream answered a final
    non-2xx, or an answer that fails the operation's output schema (``output_errors`` then
    says how); retries exhausted are a 502, the deadline a 504, an open breaker a 503 and a
    rate limit a 429, each a problem document."""
    plane = plane_of(request)
    resources = plane.resources
    executor = plane.executor
    async with idempotent(
        request, resources.sessions, principal.tenant_id, lock_s=EXECUTE_LOCK_S
    ) as idem:
        if idem.replay is not None:
            return idem.replay
        # A 404 or 422 here stores nothing: a corrected retry with the same key runs.
        prepared = await executor.prepare(
            principal.tenant_id, data.connector, data.operation, data.payload
        )
        idem.started()
        called = await call_now(plane, prepared, data, idem.key)
        headers = {"Location": called.location} if called.location else None
        return await idem.respond(called.body, status_code=called.status, headers=headers)
