"""``GET /api/v1/workspace``: the caller's own workspace, read through RLS."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec
from litestar import get
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import EXEC_AUDIENCE
from orchestrator.core.errors import NotFound
from orchestrator.core.http.auth import (
    authenticated,
    guarded,
    provide_principal,
    provide_tenant_session,
)
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.tenancy import repository


class WorkspaceOut(msgspec.Struct, frozen=True, kw_only=True):
    """The caller's workspace; ``id`` is the ``tenant_id`` of its token."""

    id: uuid.UUID
    name: str
    environment: str
    status: Literal["PENDING", "COMMITTED", "FAILED"]


@get(
    "/api/v1/workspace",
    tags=["workspace"],
    opt=guarded(authenticated(EXEC_AUDIENCE)),
    dependencies={"principal": provide_principal, "session": provide_tenant_session},
    security=[{"bearer": []}],
    responses=problem_responses(401, 404, 503),
)
async def own_workspace(session: AsyncSession) -> WorkspaceOut:
    """Proof that token → tenant → RLS works: the query has no WHERE, RLS does the filtering."""
    visible = (await repository.visible_workspaces(session)).items
    if len(visible) != 1:
        raise NotFound("Your workspace is not visible.")
    workspace = visible[0]
    return WorkspaceOut(
        id=workspace.id,
        name=workspace.name,
        environment=workspace.environment,
        status=workspace.status.value,
    )
