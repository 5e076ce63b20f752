"""``/api/v1/deletions/{id}``: follow a deletion an operator asked for (ADR 0100)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Response, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.deletions.schemas import DeletionOut
from orchestrator.control_api.guards import BearerController, organization_of
from orchestrator.control_api.routes import FOUND
from orchestrator.control_api.views import out
from orchestrator.core.auth.claims import CONTROL_AUDIENCE, Principal
from orchestrator.core.errors import Forbidden, NotFound
from orchestrator.core.http.auth import PRINCIPAL_KEY, authenticated, guarded, provide_session
from orchestrator.core.maintenance.deprovision import records
from orchestrator.core.maintenance.deprovision.start import Started
from orchestrator.core.models import DeprovisionOperation

PATH = "/api/v1/deletions"
READ_SCOPES = frozenset({"control:read", "platform:read"})
"""An organization's operator follows its own deletions, a platform operator any."""


async def _may_read(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """After ``authenticated``: the token may read its organization's or the platform's."""
    principal: Principal = connection.scope["state"][PRINCIPAL_KEY]
    if not READ_SCOPES & set(principal.scopes):
        raise Forbidden("The token lacks the `control:read` scope.")


def deletion_out(operation: DeprovisionOperation) -> DeletionOut:
    """The API view of a deletion."""
    return out(operation, DeletionOut)


def accepted(started: Started) -> Response[DeletionOut]:
    """``202`` with the deletion and where to follow it."""
    operation = started.operation
    return Response(
        deletion_out(operation),
        status_code=202,
        headers={"Location": f"{PATH}/{operation.id}"},
    )


class DeletionController(BearerController):
    """Deletions of the caller's organization."""

    path = PATH
    tags = ["deletions"]

    @get(
        "/{deletion_id:uuid}",
        opt=guarded(authenticated(CONTROL_AUDIENCE), _may_read),
        dependencies={"session": provide_session},
        responses=FOUND,
    )
    async def get_deletion(
        self, deletion_id: uuid.UUID, session: AsyncSession, principal: Principal
    ) -> DeletionOut:
        """One deletion of the caller's organization (any, for a platform operator): its
        step and progress."""
        if principal.is_platform:
            found = await records.by_id(session, deletion_id)
        else:
            found = await records.in_organization(session, organization_of(principal), deletion_id)
        if found is None:
            raise NotFound("No such deletion in your organization.")
        return deletion_out(found)
