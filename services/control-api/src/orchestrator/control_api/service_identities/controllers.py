"""``/api/v1/service-identities``: a workspace's exec clients, managed by its admins.

Secrets are issued once (on create and rotate) and stored only as hashes. A disabled
identity gets no new tokens, and disabling it (or rotating its secret) revokes its
subject as of that moment (ADR 0045): every exec token it already holds is refused by
every service within a second (announced after commit; each service's reconcile poll
heals a missed announcement). Enabling it again revives none of them.
"""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request, Response, get

from orchestrator.control_api.credentials import NO_STORE, Announcing, Issued, horizon_s
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ, acts, creates
from orchestrator.control_api.scope import (
    Reason,
    ScopedController,
    WorkspaceId,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.control_api.service_identities import service
from orchestrator.control_api.service_identities.schemas import (
    ServiceIdentityCreate,
    ServiceIdentityCredentials,
    ServiceIdentityList,
    ServiceIdentityOut,
)
from orchestrator.control_api.views import READS, out
from orchestrator.core.auth.claims import Principal
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.identity.models import ServiceIdentity
from orchestrator.core.runtime import Resources

# The workspace's transaction as a context manager, for the handlers that must
# announce a revocation after it commits (a dependency commits after the handler).
workspace_transaction = asynccontextmanager(provide_scope)


async def provide_announcing(
    request: Request[Any, Any, Any], principal: Principal, workspace: WorkspaceId = None
) -> Announcing[WorkspaceScope]:
    """A change to a service identity in the chosen workspace's transaction."""
    return Announcing(request, principal, workspace_transaction(request, principal, workspace))


def to_out(identity: ServiceIdentity) -> ServiceIdentityOut:
    """The API view of a service identity: never its secret or hash."""
    return out(identity, ServiceIdentityOut, enabled=identity.disabled_at is None)


def _credentials(
    issued: Issued[ServiceIdentity], status_code: int
) -> Response[ServiceIdentityCredentials]:
    body = ServiceIdentityCredentials(service_identity=to_out(issued.row), **issued.secret())
    return Response(body, status_code=status_code, headers=NO_STORE)


class ServiceIdentityController(ScopedController):
    """Service identities of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/service-identities"
    tags = ["service-identities"]
    dependencies = {**ScopedController.dependencies, "announcing": provide_announcing}

    @get(opt=READ, responses=READS, dependencies=PAGED)
    async def list_service_identities(
        self, ws: WorkspaceScope, page: PageRequest
    ) -> ServiceIdentityList:
        """The workspace's service identities by name (ids, scopes, state; no secrets);
        cursor-paginated."""
        got = await service.list_identities(ws, page)
        items = [to_out(identity) for identity in got.items]
        return ServiceIdentityList(items=items, next_cursor=got.next_cursor)

    @creates()
    async def create_service_identity(
        self, ws: WorkspaceScope, data: ServiceIdentityCreate, reason: Reason
    ) -> Response[ServiceIdentityCredentials]:
        """Create a service identity; its ``client_secret`` is in this response only."""
        issued = await service.create(ws, name=data.name, scopes=data.scopes, reason=reason)
        return _credentials(issued, 201)

    @acts("/{identity_id:uuid}/disable", responses=READS)
    async def disable(
        self, identity_id: uuid.UUID, reason: Reason, announcing: Announcing[WorkspaceScope]
    ) -> ServiceIdentityOut:
        """Stop a service identity getting tokens and end every token it holds (idempotent)."""
        changed = await announcing(service.set_enabled, identity_id, enabled=False, reason=reason)
        return to_out(changed.row)

    @acts("/{identity_id:uuid}/enable", responses=READS)
    async def enable(
        self,
        resources: Resources,
        ws: WorkspaceScope,
        identity_id: uuid.UUID,
        reason: Reason,
    ) -> ServiceIdentityOut:
        """Let a disabled service identity get tokens again (idempotent); old tokens stay refused."""
        changed = await service.set_enabled(
            ws, identity_id, enabled=True, reason=reason, horizon_s=horizon_s(resources)
        )
        return to_out(changed.row)

    @acts("/{identity_id:uuid}/rotate-secret", responses=READS)
    async def rotate_secret(
        self, identity_id: uuid.UUID, reason: Reason, announcing: Announcing[WorkspaceScope]
    ) -> Response[ServiceIdentityCredentials]:
        """Issue a new secret, shown in this response only.

        The old secret and every token the identity got before are refused from now on.
        """
        issued = await announcing(service.rotate_secret, identity_id, reason=reason)
        return _credentials(issued, 200)
