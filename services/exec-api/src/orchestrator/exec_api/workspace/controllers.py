"""``GET /api/v1/workspace``: the caller's own workspace, read through RLS."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec
from litestar import get

from orchestrator.core.auth.claims import EXEC_AUDIENCE, Principal
from orchestrator.core.http.auth import authenticated, guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.tenancy import own_workspace as visible
from orchestrator.exec_api.plane import Plane, provide_plane

PATH = "/api/v1/workspace"


class WorkspaceOut(msgspec.Struct, frozen=True, kw_only=True):
    """The caller's workspace; ``id`` is the ``tenant_id`` of its token."""

    id: uuid.UUID
    name: str
    environment: str
    status: Literal["PENDING", "COMMITTED", "FAILED"]


async def read_own(plane: Plane, tenant_id: uuid.UUID) -> WorkspaceOut:
    """The caller's workspace; both routes of ``GET /api/v1/workspace`` answer with it."""
    return WorkspaceOut(**await visible.own_workspace(plane.workspace, tenant_id))


@get(
    PATH,
    tags=["workspace"],
    opt=guarded(authenticated(EXEC_AUDIENCE)),
    dependencies={"principal": provide_principal, "plane": provide_plane},
    security=[{"bearer": []}],
    responses=problem_responses(401, 404, 503),
)
async def own_workspace(principal: Principal, plane: Plane) -> WorkspaceOut:
    """Proof that token → tenant → RLS works: the query has no WHERE, RLS does the filtering."""
    return await read_own(plane, principal.tenant_id)
