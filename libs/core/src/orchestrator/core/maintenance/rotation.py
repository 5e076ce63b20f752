"""Re-wrap every sealed value under a new KEK, leaving the plaintexts untouched.

Only data keys are re-wrapped (``envelope.rewrap``); a value already under the new
KEK is skipped, so a second run, or a run resumed after a crash, changes nothing.
Tenant tables are under forced RLS even for their owner, so they are walked
tenant by tenant: organizations (no RLS) → their workspaces → each tenant's rows,
one transaction per tenant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.callbacks.models import WorkspaceSecret
from orchestrator.core.crypto import envelope
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.models import Organization, SecretRef, SigningKey, Workspace
from orchestrator.core.secrets.sealing import value_context


class RotationError(Exception):
    """A sealed value names a KEK that is neither the old nor the new one, or does not open."""


@dataclass
class Counts:
    """Per table: values re-wrapped now, and values already under the new KEK."""

    rewrapped: int = 0
    current: int = 0


@dataclass
class RotationReport:
    """What one run did, per table."""

    tables: dict[str, Counts] = field(
        default_factory=lambda: {
            t: Counts() for t in ("signing_keys", "workspace_secrets", "secret_refs")
        }
    )

    @property
    def rewrapped(self) -> int:
        """Values re-wrapped by this run, over every table."""
        return sum(c.rewrapped for c in self.tables.values())


def _rewrap(
    old: envelope.KeyEncryptionKey,
    new: envelope.KeyEncryptionKey,
    stored: dict[str, str],
    *,
    context: str,
    where: str,
    counts: Counts,
) -> dict[str, str] | None:
    """The re-wrapped JSON, or ``None`` when the value is already under ``new``."""
    sealed = envelope.from_json(stored)
    if sealed.kek_id == new.id:
        counts.current += 1
        return None
    if sealed.kek_id != old.id:
        raise RotationError(f"{where} is sealed under KEK `{sealed.kek_id}`, not `{old.id}`")
    try:
        rewrapped = envelope.rewrap(old, new, sealed, context=context)
    except InvalidTag:
        raise RotationError(f"{where} does not open with the previous KEK `{old.id}`") from None
    counts.rewrapped += 1
    return envelope.to_json(rewrapped)


async def _tenant(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    old: envelope.KeyEncryptionKey,
    new: envelope.KeyEncryptionKey,
    report: RotationReport,
) -> None:
    await set_tenant(session, tenant_id)
    # Filtered explicitly too: a superuser owner is not subject to RLS at all.
    mine = select(WorkspaceSecret).where(WorkspaceSecret.tenant_id == tenant_id)
    for secret in await session.scalars(mine.with_for_update()):
        if fresh := _rewrap(
            old,
            new,
            secret.sealed,
            context=str(secret.id),
            where=f"workspace_secrets {secret.id}",
            counts=report.tables["workspace_secrets"],
        ):
            secret.sealed = fresh
    refs = (
        select(SecretRef)
        .where(SecretRef.tenant_id == tenant_id, SecretRef.sealed_value.is_not(None))
        .with_for_update()
    )
    for ref in await session.scalars(refs):
        assert ref.sealed_value is not None
        if fresh := _rewrap(
            old,
            new,
            ref.sealed_value,
            context=value_context(ref.tenant_id, ref.id),
            where=f"secret_refs {ref.id}",
            counts=report.tables["secret_refs"],
        ):
            ref.sealed_value = fresh


async def rotate_kek(
    sessions: async_sessionmaker[AsyncSession],
    *,
    old: envelope.KeyEncryptionKey,
    new: envelope.KeyEncryptionKey,
) -> RotationReport:
    """Re-wrap signing keys, workspace secrets and ``db://`` secret values under ``new``."""
    report = RotationReport()
    async with sessions() as session, session.begin():
        for key in await session.scalars(select(SigningKey).with_for_update()):
            if fresh := _rewrap(
                old,
                new,
                key.sealed_private_jwk,
                context=key.kid,
                where=f"signing_keys {key.kid}",
                counts=report.tables["signing_keys"],
            ):
                key.sealed_private_jwk = fresh
    async with sessions() as session:
        organizations = list(await session.scalars(select(Organization.id)))
    for organization_id in organizations:
        async with sessions() as session, session.begin():
            await set_organization(session, organization_id)
            query = select(Workspace.id).where(Workspace.organization_id == organization_id)
            tenants = list(await session.scalars(query))
        for tenant_id in tenants:
            async with sessions() as session, session.begin():
                await _tenant(session, tenant_id, old, new, report)
    return report
