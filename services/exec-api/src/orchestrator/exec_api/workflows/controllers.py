"""Workflow runs: HTTP only; the rules are in ``orchestrator.core.workflows.runs``."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import EXEC_AUDIENCE, Principal
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import NotFound
from orchestrator.core.http.auth import (
    authenticated,
    guarded,
    provide_principal,
    provide_tenant_session,
)
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.idempotency.guard import idempotent
from orchestrator.core.models import WorkflowRun
from orchestrator.core.workflows import repository, runs
from orchestrator.exec_api.jobs.controllers import SUBMIT_LOCK_S, IdempotencyKey
from orchestrator.exec_api.plane import plane_of
from orchestrator.exec_api.workflows.schemas import RunAccepted, RunCreate, RunOut, StepOut


def to_out(row: WorkflowRun) -> RunOut:
    """The API view of a run: each step of its definition with what became of it."""
    steps = runs.steps_of(row)
    shown = []
    for step in steps:
        record: dict[str, Any] = row.outputs.get(step.name, {})
        shown.append(
            StepOut(
                name=step.name,
                status=record.get("status", "pending"),
                job_id=record.get("job_id"),
                output=record.get("output"),
                error=record.get("error"),
                compensation=record.get(runs.COMPENSATION),
            )
        )
    return RunOut(
        id=row.id,
        workflow=row.workflow,
        workflow_version=row.definition["version"],
        status=row.status,
        current_step=steps[row.current_step].name,
        input=row.input,
        steps=shown,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


@post(
    "/api/v1/workflows/{name:str}/runs",
    tags=["workflows"],
    security=[{"bearer": []}],
    dependencies={"principal": provide_principal},
    opt=guarded(authenticated(EXEC_AUDIENCE, "jobs:write")),
    status_code=202,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
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
    async with idempotent(
        request, plane.resources.sessions, principal.tenant_id, lock_s=SUBMIT_LOCK_S
    ) as idem:
        if idem.replay is not None:
            return idem.replay
        async with tenant_transaction(plane.resources.sessions, principal.tenant_id) as session:
            run = await runs.start_run(
                session,
                plane.waker,
                principal.tenant_id,
                name,
                data.input,
                idempotency_key=idempotency_key,
                network=plane.network,
            )
            # In the run's own transaction: the key completes exactly when the run exists.
            return await idem.respond(
                RunAccepted(id=run.id, status=run.status),
                status_code=202,
                headers={"Location": f"/api/v1/workflow-runs/{run.id}"},
                session=session,
            )


@get(
    "/api/v1/workflow-runs/{run_id:uuid}",
    tags=["workflows"],
    security=[{"bearer": []}],
    dependencies={"principal": provide_principal, "session": provide_tenant_session},
    opt=guarded(authenticated(EXEC_AUDIENCE, "jobs:read")),
    responses=problem_responses(400, 401, 403, 404, 503),
)
async def get_run(run_id: FromPath[uuid.UUID], session: AsyncSession) -> RunOut:
    """One workflow run of the caller's workspace: status, current step, and each step's
    job, output and error."""
    row = await repository.get_run(session, run_id)
    if row is None:
        raise NotFound("No such workflow run in your workspace.")
    return to_out(row)
