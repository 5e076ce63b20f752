"""``/api/v1/workspaces``: create (a saga) and list an organization's workspaces."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import horizon_s
from orchestrator.control_api.deletions.controllers import accepted
from orchestrator.control_api.deletions.schemas import DeletionOut
from orchestrator.control_api.guards import (
    BearerController,
    org_transaction,
    organization_of,
    session_for_org,
)
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import FOUND, LISTED, READ, WRITE
from orchestrator.control_api.scope import Reason, announce_change
from orchestrator.control_api.views import WRITES, created_once, out, page_out
from orchestrator.control_api.workspaces.schemas import WorkspaceCreate, WorkspaceList, WorkspaceOut
from orchestrator.core.auth.claims import Principal
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import NotFound, WorkspaceCreationFailed
from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.maintenance.deprovision.start import Deletion, delete_workspace
from orchestrator.core.maintenance.deprovision.steps import announce
from orchestrator.core.models import Workspace, WorkspaceStatus
from orchestrator.core.runtime import Resources, kek_from
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.service import NewWorkspace, create_workspace

OperationIdParam = Annotated[
    str | None,
    QueryParameter(
        name="operation_id",
        required=False,
        min_length=1,
        max_length=255,
        pattern=NO_NUL,
        description="Keys the deletion: repeating it answers the same one. Without one, a "
        "new one is made (as for a creation), and a repeat is a 409 naming the first.",
    ),
]
Force = Annotated[
    bool,
    QueryParameter(
        name="force",
        required=False,
        description="Cancel the workspace's queued and running jobs and active workflow runs "
        "first, instead of refusing with 409 while there are any.",
    ),
]


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
        got = await repository.live_workspaces(session, page)
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
        if workspace is None or workspace.status is WorkspaceStatus.DELETED:
            raise NotFound("No such workspace in your organization.")
        return to_out(workspace)

    @delete(
        "/{workspace_id:uuid}",
        opt=WRITE,
        status_code=202,
        responses=WRITES,
    )
    async def delete_workspace(
        self,
        workspace_id: uuid.UUID,
        resources: Resources,
        principal: Principal,
        request: Request[Any, Any, Any],
        reason: Reason,
        operation_id: OperationIdParam = None,
        force: Force = False,
    ) -> Response[DeletionOut]:
        """Delete a workspace (ADR 0100): 202 with the deletion, ``Location`` to follow it.

        At once the workspace is DELETING and unusable (its tokens refused, its webhook
        sources and schedules off); a worker then deletes its rows and payloads, resuming
        after a crash, and leaves a DELETED tombstone. The same ``operation_id`` answers
        the same deletion; another on a workspace being (or already) deleted is a 409
        naming the first. 409 with the counts while jobs are queued or running or
        workflow runs active, unless ``force``.
        """
        async with org_transaction(request, principal) as session:
            started = await delete_workspace(
                session,
                Deletion(
                    organization_id=organization_of(principal),
                    operation_id=operation_id or f"api:{uuid.uuid4()}",
                    actor=principal.subject,
                    reason=reason,
                    force=force,
                    horizon_s=horizon_s(resources),
                ),
                workspace_id,
            )
        if started.created:
            namespace = resources.settings.redis.namespace
            await announce(resources.redis, namespace, started.revoked)
            await announce_change(resources, workspace_id)
        return accepted(started)
