"""Control-plane authorisation: roles and the organization scope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Controller, Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import OperatorRole, Principal
from orchestrator.core.db.tenant import set_organization
from orchestrator.core.errors import Forbidden
from orchestrator.core.http.auth import PRINCIPAL_KEY, Guard, provide_principal, provide_session
from orchestrator.core.runtime import Resources


def organization_of(principal: Principal) -> uuid.UUID:
    """The organization an operator acts for."""
    if principal.organization_id is None:
        raise Forbidden("This token is not an operator token.")
    return principal.organization_id


def requires_role(*roles: OperatorRole) -> Guard:
    """A guard, after ``authenticated``: the operator holds one of ``roles``."""
    allowed = frozenset(role.value for role in roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal: Principal = connection.scope["state"][PRINCIPAL_KEY]
        if principal.role not in allowed:
            raise Forbidden(f"This action needs one of the roles: {', '.join(sorted(allowed))}.")

    return guard


transaction = asynccontextmanager(provide_session)
"""One transaction, with no tenant set yet, as a context manager."""


async def session_for_org(
    request: Request[Any, Any, Any], principal: Principal
) -> AsyncIterator[AsyncSession]:
    """One transaction that sees every workspace of the operator's organization."""
    async with transaction(request) as session:
        await set_organization(session, organization_of(principal))
        yield session


org_transaction = asynccontextmanager(session_for_org)
"""``session_for_org`` as a context manager, for a handler that must act after the
transaction commits (announce a revocation): a dependency commits after the handler."""


async def provide_resources(request: Request[Any, Any, Any]) -> Resources:
    """The process's shared resources: sessions, Redis, settings, keys."""
    resources: Resources = request.app.state.resources
    return resources


class BearerController(Controller):
    """The base of every control-api controller: each route takes a bearer token, and its
    handlers may ask for the ``principal`` it names and the process's ``resources``."""

    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "resources": provide_resources}
