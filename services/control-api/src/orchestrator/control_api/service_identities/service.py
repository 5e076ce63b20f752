"""Rules of service identity management: one workspace, audited, secrets shown once.

``service_identities`` is a platform table without RLS (the token endpoint resolves a
client before any tenant is known), so every query here names the workspace itself.
Disabling an identity or rotating its secret also revokes its subject as of that
moment (ADR 0045): every exec token it holds is refused from then on. The revocation
is written in the caller's transaction; the caller announces it once that commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from orchestrator.control_api.clients import ClientKind
from orchestrator.control_api.credentials import Changed, Issued
from orchestrator.control_api.scope import WorkspaceScope
from orchestrator.core.auth.claims import EXEC_SCOPES
from orchestrator.core.auth.subjects import service_subject
from orchestrator.core.configuration.mutation import flush_or_conflict
from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.db.pages import Keyset, Page, PageRequest
from orchestrator.core.errors import Conflict, NotFound, ValidationFailed
from orchestrator.core.identity.models import ServiceIdentity


def identity_view(identity: ServiceIdentity) -> dict[str, Any]:
    """The audited shape of a service identity (never its secret or hash)."""
    return {
        "id": str(identity.id),
        "name": identity.name,
        "client_id": identity.client_id,
        "scopes": list(identity.scopes),
        "enabled": identity.disabled_at is None,
    }


def checked_scopes(requested: Iterable[str]) -> list[str]:
    """The requested exec scopes in their canonical order; 422 for none or an unknown one.

    An identity's tokens are exec tokens, so only exec scopes make sense; a control
    scope would be refused by the token endpoint's audience anyway.
    """
    wanted = set(requested)
    if wanted - set(EXEC_SCOPES):
        # Not echoed: an unknown scope may be any text, of any length.
        raise ValidationFailed(
            f"Unknown scope; a service identity may have: {', '.join(EXEC_SCOPES)}."
        )
    if not wanted:
        raise ValidationFailed(f"Name at least one scope of: {', '.join(EXEC_SCOPES)}.")
    return [scope for scope in EXEC_SCOPES if scope in wanted]


IDENTITIES = ClientKind[ServiceIdentity](
    "service-identity",
    identity_view,
    lambda identity: service_subject(identity.workspace_id, identity.name),
    lambda identity: identity.workspace_id,
)


async def list_identities(ws: WorkspaceScope, page: PageRequest) -> Page[ServiceIdentity]:
    """A page of the workspace's service identities, by name."""
    query = select(ServiceIdentity).where(ServiceIdentity.workspace_id == ws.tenant_id)
    return await Keyset(ServiceIdentity.name).scalars(ws.session, query, page)


async def create(
    ws: WorkspaceScope, *, name: str, scopes: list[str], reason: str
) -> Issued[ServiceIdentity]:
    """A new service identity of the workspace, with a fresh secret; 409 if the name is taken."""
    allowed = checked_scopes(scopes)
    taken = await ws.session.scalar(
        select(ServiceIdentity.id).where(
            ServiceIdentity.workspace_id == ws.tenant_id, ServiceIdentity.name == name
        )
    )
    if taken is not None:
        raise Conflict(f"A service identity called `{name}` exists in this workspace.")
    secret = new_client_secret()
    identity = ServiceIdentity(
        id=uuid.uuid4(),
        workspace_id=ws.tenant_id,
        name=name,
        client_id=new_client_id("svc"),
        secret_hash=hash_secret(secret),
        scopes=allowed,
    )
    ws.session.add(identity)
    # The unique (workspace, name) constraint settles a concurrent create of the same name.
    await flush_or_conflict(ws.session, f"service identity `{name}`")
    await ws.session.refresh(identity)
    await IDENTITIES.audit(
        ws.session, ws.principal, identity, action="create", reason=reason, before=None
    )
    return Issued(identity, secret)


async def _target(ws: WorkspaceScope, identity_id: uuid.UUID) -> ServiceIdentity:
    # Locked: a concurrent change of the same identity waits, and the token endpoint
    # (which share-locks it) either finishes first or sees this change.
    identity = await ws.session.scalar(
        select(ServiceIdentity)
        .where(ServiceIdentity.id == identity_id, ServiceIdentity.workspace_id == ws.tenant_id)
        .with_for_update()
    )
    if identity is None:
        raise NotFound("No such service identity in this workspace.")
    return identity


async def set_enabled(
    ws: WorkspaceScope,
    identity_id: uuid.UUID,
    *,
    enabled: bool,
    reason: str,
    horizon_s: int,
) -> Changed[ServiceIdentity]:
    """Disable or enable a service identity; a no-op (and no audit record) when already so.

    Disabling revokes every token the identity holds; enabling revives none of them.
    """
    identity = await _target(ws, identity_id)
    return await IDENTITIES.switch(
        ws.session, ws.principal, identity, enabled=enabled, reason=reason, horizon_s=horizon_s
    )


async def rotate_secret(
    ws: WorkspaceScope, identity_id: uuid.UUID, *, reason: str, horizon_s: int
) -> Issued[ServiceIdentity]:
    """A new secret; the old one, and every token got with it, stop working at once.

    A disabled identity may be rotated too (a leaked secret is replaced before it is
    enabled again); it stays disabled.
    """
    identity = await _target(ws, identity_id)
    return await IDENTITIES.rotate(
        ws.session, ws.principal, identity, reason=reason, horizon_s=horizon_s
    )
