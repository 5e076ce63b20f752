"""``/api/v1/organizations``: platform operators create and list organizations (ADR 0051).

Creation is the organization saga (``core/tenancy/organizations.py``), which runs the
workspace saga for the first workspace; a repeat with the same ``operation_id`` answers
200 with the same ids and fresh secrets (only hashes are kept), another body 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import NO_STORE, horizon_s
from orchestrator.control_api.deletions.controllers import accepted
from orchestrator.control_api.deletions.schemas import DeletionOut
from orchestrator.control_api.guards import BearerController, transaction
from orchestrator.control_api.organizations.schemas import (
    DEFAULT_WORKSPACE,
    IssuedClient,
    OrganizationCreate,
    OrganizationCreated,
    OrganizationList,
    OrganizationOut,
)
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import LISTED
from orchestrator.control_api.scope import Reason, announce_change
from orchestrator.control_api.views import WRITES, created_once, out, page_out
from orchestrator.control_api.workspaces.controllers import Force, OperationIdParam
from orchestrator.control_api.workspaces.controllers import to_out as workspace_out
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, Principal
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import Forbidden
from orchestrator.core.http.auth import (
    PRINCIPAL_KEY,
    Guard,
    authenticated,
    guarded,
    provide_session,
)
from orchestrator.core.maintenance.deprovision.start import Deletion, delete_organization
from orchestrator.core.maintenance.deprovision.steps import announce
from orchestrator.core.runtime import Resources, kek_from
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.organizations import NewOrganization, create_organization


async def _platform_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """After ``authenticated``: the token is a platform operator's, not an organization's."""
    principal: Principal = connection.scope["state"][PRINCIPAL_KEY]
    if not principal.is_platform:
        raise Forbidden("Only a platform operator manages organizations.")


def platform_guards(scope: str) -> tuple[Guard, ...]:
    """A control token with the platform ``scope``, held by a platform operator."""
    return (authenticated(CONTROL_AUDIENCE, scope), _platform_only)


class OrganizationController(BearerController):
    """Organizations of the deployment; platform operators only."""

    path = "/api/v1/organizations"
    tags = ["organizations"]

    @post(
        opt=guarded(*platform_guards("platform:write")),
        status_code=201,
        responses=created_once(OrganizationCreated, "organization"),
    )
    async def create(
        self, data: OrganizationCreate, reason: Reason, principal: Principal, resources: Resources
    ) -> Response[OrganizationCreated]:
        """Create an organization, its first workspace, admin operator and exec identity.

        201 when new, 200 when the ``operation_id`` was seen before; the secrets are in
        this response only.
        """
        deployment_env = resources.settings.deployment.environment
        workspace = data.workspace
        result = await create_organization(
            resources.sessions,
            kek_from(resources.settings),
            NewOrganization(
                name=data.name,
                admin_name=data.admin.name,
                workspace_name=workspace.name if workspace else DEFAULT_WORKSPACE,
                environment=(workspace.environment if workspace else None) or deployment_env,
                operation_id=data.operation_id or f"api:{uuid.uuid4()}",
                actor=f"platform:{principal.subject}",
                reason=reason,
                horizon_s=horizon_s(resources),
            ),
            deployment_env=deployment_env,
        )
        body = OrganizationCreated(
            organization=out(result.organization, OrganizationOut),
            workspace=workspace_out(result.workspace),
            admin=out(result.admin, IssuedClient),
            exec=out(result.exec, IssuedClient),
        )
        return Response(body, status_code=201 if result.created else 200, headers=NO_STORE)

    @get(
        opt=guarded(*platform_guards("platform:read")),
        dependencies={"session": provide_session, **PAGED},
        responses=LISTED,
    )
    async def list_organizations(
        self, session: AsyncSession, page: PageRequest
    ) -> OrganizationList:
        """The deployment's organizations, oldest first; cursor-paginated."""
        got = await repository.organizations(session, page)
        return page_out(got, OrganizationList)

    @delete(
        "/{organization_id:uuid}",
        opt=guarded(*platform_guards("platform:write")),
        status_code=202,
        responses=WRITES,
    )
    async def delete_organization(
        self,
        organization_id: uuid.UUID,
        request: Request[Any, Any, Any],
        principal: Principal,
        resources: Resources,
        reason: Reason,
        operation_id: OperationIdParam = None,
        force: Force = False,
    ) -> Response[DeletionOut]:
        """Delete an organization (ADR 0100): each of its workspaces is deleted as
        ``DELETE /api/v1/workspaces/{id}`` would (under ``<operation_id>:<workspace id>``),
        then its operators are disabled and their tokens refused, and the organization is
        left a DELETED tombstone. 202 with the deletion and ``Location`` to follow it;
        the same ``operation_id`` answers the same deletion; 409 with the counts while any
        workspace has active work, unless ``force``."""
        async with transaction(request) as session:
            started = await delete_organization(
                session,
                Deletion(
                    organization_id=organization_id,
                    operation_id=operation_id or f"api:{uuid.uuid4()}",
                    actor=f"platform:{principal.subject}",
                    reason=reason,
                    force=force,
                    horizon_s=horizon_s(resources),
                ),
            )
            workspaces = [str(w) for w in started.operation.progress.get("workspaces", {})]
        if started.created:
            await announce(resources.redis, resources.settings.redis.namespace, started.revoked)
            for workspace_id in workspaces:
                await announce_change(resources, uuid.UUID(workspace_id))
        return accepted(started)
