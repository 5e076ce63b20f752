"""Workflow runs: HTTP only; the rules are in ``orchestrator.core.workflows.runs``, the
run's view in ``orchestrator.core.workflows.views`` (the control-api shows runs too)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import Principal
from orchestrator.core.http.auth import (
    provide_principal,
    provide_tenant_session,
)
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.workflows import runs
from orchestrator.core.workflows.views import RunOut, to_out
from orchestrator.exec_api.access import JOBS_READ, queues
from orchestrator.exec_api.jobs.accepting import Accepted, accept_once
from orchestrator.exec_api.jobs.controllers import IdempotencyKey
from orchestrator.exec_api.plane import plane_of
from orchestrator.exec_api.workflows.schemas import RunAccepted, RunCreate


@queues(
    "/api/v1/workflows/{name:str}/runs",
    tags=["workflows"],
    security=[{"bearer": []}],
    dependencies={"principal": provide_principal},
)
async def start_run(
    request: Request[Any, Any, Any],
    name: str,
    data: RunCreate,
    principal: Principal,
    idempotency_key: IdempotencyKey = None,
) -> Response[RunAccepted]:
    """Start a run of workflow ``name``: ``202`` with its id once its first step is queued.
    Safe to retry with an ``Idempotency-Key``."""
    plane = plane_of(request)

    async def write(session: AsyncSession) -> Accepted:
        run = await runs.start_run(
            session,
            plane.waker,
            principal.tenant_id,
            name,
            data.input,
            idempotency_key=idempotency_key,
            network=plane.network,
        )
        location = {"Location": f"/api/v1/workflow-runs/{run.id}"}
        return Accepted(RunAccepted(id=run.id, status=run.status), location)

    return await accept_once(request, plane, principal.tenant_id, write)


@get(
    "/api/v1/workflow-runs/{run_id:uuid}",
    tags=["workflows"],
    security=[{"bearer": []}],
    dependencies={"principal": provide_principal, "session": provide_tenant_session},
    opt=JOBS_READ,
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def get_run(run_id: FromPath[uuid.UUID], session: AsyncSession) -> RunOut:
    """One workflow run of the caller's workspace: status, current step, and each step's
    job, output and error."""
    return to_out(await runs.get_run(session, run_id))
