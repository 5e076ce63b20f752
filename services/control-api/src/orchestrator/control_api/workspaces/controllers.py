"""``/api/v1/workspaces``: create (a saga) and list an organization's workspaces."""

from __future__ import annotations

import uuid

from litestar import Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.guards import (
    BearerController,
    organization_of,
    session_for_org,
)
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import FOUND, LISTED, READ, WRITE
from orchestrator.control_api.views import created_once, out, page_out
from orchestrator.control_api.workspaces.schemas import WorkspaceCreate, WorkspaceList, WorkspaceOut
from orchestrator.core.auth.claims import Principal
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import NotFound, WorkspaceCreationFailed
from orchestrator.core.models import Workspace, WorkspaceStatus
from orchestrator.core.runtime import Resources, kek_from
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.service import NewWorkspace, create_workspace


def to_out(ws: Workspace) -> WorkspaceOut:
    """The API view of a workspace."""
    return out(ws, WorkspaceOut)


class WorkspaceController(BearerController):
    """Workspaces of the caller's organization."""

    path = "/api/v1/workspaces"
    tags = ["workspaces"]

    @post(
        opt=WRITE,
        status_code=201,
        responses=created_once(WorkspaceOut, "workspace"),
    )
    async def create(
        self, resources: Resources, data: WorkspaceCreate, principal: Principal
    ) -> Response[WorkspaceOut]:
        """Create a workspace: 201 when new, 200 when the ``operation_id`` was seen before.

        A saga that failed (now or on an earlier call with this ``operation_id``) is a 409
        naming the workspace; its name is free again under a new ``operation_id``.
        """
        operation_id = data.operation_id or f"api:{uuid.uuid4()}"
        workspace, created = await create_workspace(
            resources.sessions,
            kek_from(resources.settings),
            NewWorkspace(
                organization_id=organization_of(principal),
                name=data.name,
                environment=data.environment,
                operation_id=operation_id,
                actor=principal.subject,
                reason=data.reason,
            ),
            deployment_env=resources.settings.deployment.environment,
        )
        if workspace.status is WorkspaceStatus.FAILED:
            raise WorkspaceCreationFailed(
                "Creating this workspace failed and was rolled back; "
                "retry with a new operation_id.",
                workspace_id=str(workspace.id),
                operation_id=workspace.operation_id,
                failure_reason=workspace.failure_reason,
            )
        return Response(to_out(workspace), status_code=201 if created else 200)

    @get(
        opt=READ,
        dependencies={"session": session_for_org, **PAGED},
        responses=LISTED,
    )
    async def list_workspaces(self, session: AsyncSession, page: PageRequest) -> WorkspaceList:
        """The workspaces of the caller's organization, oldest first; cursor-paginated."""
        got = await repository.visible_workspaces(session, page)
        return page_out(got, WorkspaceList)

    @get(
        "/{workspace_id:uuid}",
        opt=READ,
        dependencies={"session": session_for_org},
        responses=FOUND,
    )
    async def get_workspace(self, workspace_id: uuid.UUID, session: AsyncSession) -> WorkspaceOut:
        """One workspace of the caller's organization."""
        workspace = await repository.get_workspace(session, workspace_id)
        if workspace is None:
            raise NotFound("No such workspace in your organization.")
        return to_out(workspace)
