"""Reading a webhook source by id alone, as the ingress must (ADR 0036).

A delivery names only its source. Naming the id in ``app.webhook_source`` makes that
one ``webhook_sources`` row visible (the ``source_lookup`` policy); the rest of the
read (its secret values) runs as the source's workspace, like any tenant transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec
from loguru import logger
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import SecretUnresolved
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.resolve import resolve_secrets
from orchestrator.core.webhooks.headers import stored_headers
from orchestrator.core.webhooks.models import WebhookSource
from orchestrator.core.webhooks.options import GenericHmacOptions
from orchestrator.core.webhooks.providers import GENERIC, resolve
from orchestrator.core.webhooks.spec import ProviderSpec

_NAME_SOURCE = text("SELECT set_config('app.webhook_source', :source_id, true)")


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """One source, ready to take deliveries: its provider spec and secret values."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    provider: str
    spec: ProviderSpec
    secrets: tuple[str, ...]
    """The values of its secret refs, in order; a ref that does not resolve is left out."""
    keep_headers: frozenset[str]
    """Lower-case names of the headers stored with a delivery."""
    max_body_bytes: int
    rate_limit_per_s: int | None
    enabled: bool


async def name_source(session: AsyncSession, source_id: uuid.UUID) -> None:
    """Let the current transaction see the one source ``source_id`` (and no other)."""
    await session.execute(_NAME_SOURCE, {"source_id": str(source_id)})


async def read_source(
    session: AsyncSession, keys: KeyRing, source_id: uuid.UUID
) -> SourcePlan | None:
    """The source ``source_id`` with its secret values, or ``None`` if there is none.

    Runs in the caller's transaction, which it scopes to the source's workspace.
    """
    await name_source(session, source_id)
    row = await session.scalar(select(WebhookSource).where(WebhookSource.id == source_id))
    if row is None:
        return None
    await set_tenant(session, row.tenant_id)
    options = None
    if row.provider == GENERIC and row.options is not None:
        options = msgspec.convert(row.options, GenericHmacOptions)
    spec = resolve(row.provider, options)
    return SourcePlan(
        id=row.id,
        tenant_id=row.tenant_id,
        provider=row.provider,
        spec=spec,
        secrets=await _secret_values(session, keys, row),
        keep_headers=stored_headers(spec),
        max_body_bytes=row.max_body_bytes,
        rate_limit_per_s=row.rate_limit_per_s,
        enabled=row.enabled,
    )


async def _secret_values(
    session: AsyncSession, keys: KeyRing, row: WebhookSource
) -> tuple[str, ...]:
    """Each ref resolved alone: one that fails (an unset variable, a value sealed under a
    KEK this process lacks) must not stop the others verifying during a rotation."""
    values = []
    for name in row.secret_refs:
        try:
            values.append((await resolve_secrets(session, keys, [name]))[name])
        except SecretUnresolved as exc:
            logger.warning("webhook source {}: {}", row.id, exc.detail)
    return tuple(values)
