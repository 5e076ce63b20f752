"""Which workspace a configuration request acts on, who may act, and why.

The operator token's ``tid`` is the default; a ``workspace`` query parameter names
another workspace of the operator's organization (anything else is a 404). Every
mutation carries a ``reason`` query parameter, recorded in the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Request
from litestar.params import QueryParameter
from loguru import logger
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.guards import BearerController, org_transaction, requires_role
from orchestrator.control_api.roles import ADMINS
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, Principal
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import Conflict, NotFound
from orchestrator.core.http.auth import authenticated
from orchestrator.core.http.fields import NO_NUL
from orchestrator.core.models import Workspace, WorkspaceStatus
from orchestrator.core.notify import config_channel, publish
from orchestrator.core.observability.context import request_id_var
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository
from orchestrator.core.versions import service as versions

READ_GUARDS = [authenticated(CONTROL_AUDIENCE, "control:read")]
WRITE_GUARDS = [authenticated(CONTROL_AUDIENCE, "control:write"), requires_role(*ADMINS)]

Reason = Annotated[
    str,
    QueryParameter(
        name="reason",
        min_length=3,
        max_length=1000,
        pattern=NO_NUL,
        description="Why this change is made; recorded in the audit log.",
    ),
]
WorkspaceId = Annotated[
    uuid.UUID | None,
    QueryParameter(
        name="workspace",
        required=False,
        description="A workspace of your organization (default: your token's workspace).",
    ),
]


@dataclass
class WorkspaceScope:
    """One transaction scoped to the chosen workspace (RLS), and who is acting."""

    session: AsyncSession
    workspace: Workspace
    principal: Principal
    change: Mutation | None = None
    """The audit context of the request's writes, once it has made one."""
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """What to tell once the transaction has committed (a status on the workspace's channel)."""

    @property
    def mutated(self) -> bool:
        """Whether the request has written (its configuration may have changed)."""
        return self.change is not None

    @property
    def tenant_id(self) -> uuid.UUID:
        """The chosen workspace's id."""
        return self.workspace.id

    def mutation(self, reason: str) -> Mutation:
        """The audit context of a write."""
        self.change = Mutation(
            tenant_id=self.workspace.id, actor=self.principal.subject, reason=reason
        )
        return self.change


async def provide_scope(
    request: Request[Any, Any, Any], principal: Principal, workspace: WorkspaceId = None
) -> AsyncIterator[WorkspaceScope]:
    """The request's transaction, scoped to ``workspace`` (default ``tid``); commits on success."""
    resources: Resources = request.app.state.resources
    async with org_transaction(request, principal) as session:
        target = await repository.get_workspace(session, workspace or principal.tenant_id)
        if target is None or target.status is WorkspaceStatus.DELETED:
            raise NotFound("No such workspace in your organization.")
        if target.status is not WorkspaceStatus.COMMITTED:
            raise Conflict(f"Workspace `{target.name}` is {target.status.value}, not COMMITTED.")
        await set_tenant(session, target.id)
        scope = WorkspaceScope(session=session, workspace=target, principal=principal)
        yield scope
        if scope.change is not None and versions.may_have_changed(session):
            await versions.record(session, target, scope.change, request_id_var.get())
    if scope.mutated:
        await announce_change(resources, scope.tenant_id)
    for tell in scope.after_commit:
        await tell()


async def announce_change(resources: Resources, tenant_id: uuid.UUID) -> None:
    """Tell every exec process to reload this workspace's configuration (after commit).

    A lost notice only delays the change until the readers' TTL (``ORCH_EXEC_CONFIG_TTL_S``).
    """
    try:
        await publish(
            resources.redis,
            config_channel(resources.settings.redis.namespace),
            str(tenant_id).encode(),
        )
    except RedisError as exc:
        logger.warning("configuration change of {} not announced: {!r}", tenant_id, exc)


class ScopedController(BearerController):
    """The base of a controller of one workspace's resources (``?workspace=``, default the
    token's): each request in that workspace's transaction (``ws``)."""

    dependencies = {**BearerController.dependencies, "ws": provide_scope}
