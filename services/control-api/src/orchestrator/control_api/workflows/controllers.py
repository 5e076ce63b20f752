"""``/api/v1/workflows``: list, read, create, replace and delete a workspace's workflows."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post, put

from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.control_api.workflows.schemas import (
    WorkflowCreate,
    WorkflowList,
    WorkflowOut,
    WorkflowReplace,
)
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.workflows import service
from orchestrator.core.workflows.definition import Step
from orchestrator.core.workflows.models import Workflow

READS = problem_responses(400, 401, 403, 404, 409, 503)
WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)


def to_out(row: Workflow) -> WorkflowOut:
    """The API view of a workflow."""
    return WorkflowOut(
        id=str(row.id),
        name=row.name,
        steps=row.steps,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_steps(data: WorkflowReplace) -> list[Step]:
    """What the service checks and stores."""
    return msgspec.convert(msgspec.to_builtins(data.steps), list[Step])


class WorkflowController(Controller):
    """Workflows of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/workflows"
    tags = ["workflows"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "ws": provide_scope}

    @get(opt=guarded(*READ_GUARDS), responses=READS, dependencies=PAGED)
    async def list_workflows(self, ws: WorkspaceScope, page: PageRequest) -> WorkflowList:
        """The workspace's workflows by name; cursor-paginated."""
        got = await service.list_workflows(ws.session, page)
        return WorkflowList(items=[to_out(w) for w in got.items], next_cursor=got.next_cursor)

    @get("/{name:str}", opt=guarded(*READ_GUARDS), responses=READS)
    async def get_workflow(self, ws: WorkspaceScope, name: NameInPath) -> WorkflowOut:
        """One workflow."""
        return to_out(await service.get_workflow(ws.session, name))

    @post(opt=guarded(*WRITE_GUARDS), status_code=201, responses=WRITES)
    async def create_workflow(
        self, ws: WorkspaceScope, data: WorkflowCreate, reason: Reason
    ) -> WorkflowOut:
        """Create a workflow; too few or many steps, a repeated step name, an unknown
        connector or operation, or a ``$ref`` that is malformed or points at a later step
        is a 422 naming each field."""
        row = await service.create_workflow(
            ws.session, ws.mutation(reason), data.name, to_steps(data)
        )
        return to_out(row)

    @put("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=WRITES)
    async def replace_workflow(
        self, ws: WorkspaceScope, name: NameInPath, data: WorkflowReplace, reason: Reason
    ) -> WorkflowOut:
        """Replace a workflow's steps; runs already started keep their definition."""
        row = await service.replace_workflow(ws.session, ws.mutation(reason), name, to_steps(data))
        return to_out(row)

    @delete("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=READS)
    async def delete_workflow(self, ws: WorkspaceScope, name: NameInPath, reason: Reason) -> None:
        """Delete a workflow; runs already started finish."""
        await service.delete_workflow(ws.session, ws.mutation(reason), name)
