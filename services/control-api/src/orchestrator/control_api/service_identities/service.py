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

from orchestrator.control_api.credentials import Changed, Issued, revoked_view
from orchestrator.control_api.scope import WorkspaceScope
from orchestrator.core.audit.change import record_change
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import EXEC_SCOPES
from orchestrator.core.auth.revocation import SubjectRevocation
from orchestrator.core.auth.subjects import service_subject
from orchestrator.core.configuration.mutation import Mutation, flush_or_conflict
from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.db.base import utcnow
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


async def list_identities(ws: WorkspaceScope, page: PageRequest) -> Page[ServiceIdentity]:
    """A page of the workspace's service identities, by name."""
    query = select(ServiceIdentity).where(ServiceIdentity.workspace_id == ws.tenant_id)
    return await Keyset(ServiceIdentity.name).scalars(ws.session, query, page)


async def _audit(
    ws: WorkspaceScope,
    identity: ServiceIdentity,
    *,
    action: str,
    reason: str,
    before: dict[str, Any] | None,
    revoked: SubjectRevocation | None = None,
) -> None:
    after = revoked_view(identity_view(identity), revoked)
    # Not ``ws.mutation``: that also tells the exec plane its configuration changed.
    by = Mutation(ws.tenant_id, ws.principal.subject, reason)
    target = f"service-identity:{identity.id}"
    await record_change(ws.session, by, action, target, before, after)


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
    await _audit(ws, identity, action="service-identity.create", reason=reason, before=None)
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


async def _revoke_tokens(
    ws: WorkspaceScope, identity: ServiceIdentity, *, horizon_s: int, reason: str
) -> SubjectRevocation:
    return await revocation.revoke_subject(
        ws.session,
        subject=service_subject(identity.workspace_id, identity.name),
        horizon_s=horizon_s,
        revoked_by=ws.principal.subject,
        reason=reason,
    )


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
    if (identity.disabled_at is None) == enabled:
        return Changed(identity, None)
    before = identity_view(identity)
    identity.disabled_at = None if enabled else utcnow()
    await ws.session.flush()
    revoked = None
    if not enabled:
        revoked = await _revoke_tokens(ws, identity, horizon_s=horizon_s, reason=reason)
    action = "service-identity.enable" if enabled else "service-identity.disable"
    await _audit(ws, identity, action=action, reason=reason, before=before, revoked=revoked)
    return Changed(identity, revoked)


async def rotate_secret(
    ws: WorkspaceScope, identity_id: uuid.UUID, *, reason: str, horizon_s: int
) -> Issued[ServiceIdentity]:
    """A new secret; the old one, and every token got with it, stop working at once.

    A disabled identity may be rotated too (a leaked secret is replaced before it is
    enabled again); it stays disabled.
    """
    identity = await _target(ws, identity_id)
    before = identity_view(identity)
    secret = new_client_secret()
    identity.secret_hash = hash_secret(secret)
    await ws.session.flush()
    revoked = await _revoke_tokens(ws, identity, horizon_s=horizon_s, reason=reason)
    await _audit(
        ws,
        identity,
        action="service-identity.rotate-secret",
        reason=reason,
        before=before,
        revoked=revoked,
    )
    return Issued(identity, secret, revoked)
