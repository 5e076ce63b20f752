"""Queries of webhook sources, bindings and routing claims; every one runs under the
session's tenant (RLS): its own sources and bindings, its organization's claims."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.pages import EVERY, Keyset, Page, PageRequest
from orchestrator.core.db.repository import Repository
from orchestrator.core.webhooks.models import (
    WebhookBinding,
    WebhookInboxEntry,
    WebhookRoute,
    WebhookSource,
)

SOURCES = Repository(WebhookSource, WebhookSource.id, keyset=Keyset(WebhookSource.name))
"""The tenant's webhook sources, found by id and listed by name."""


async def source_name_taken(
    session: AsyncSession, name: str, *, besides: uuid.UUID | None = None
) -> bool:
    """Whether another source of the tenant is called ``name``."""
    query = select(WebhookSource.id).where(WebhookSource.name == name)
    if besides is not None:
        query = query.where(WebhookSource.id != besides)
    return await session.scalar(query.limit(1)) is not None


BINDINGS = Repository(
    WebhookBinding,
    WebhookBinding.source_id,
    WebhookBinding.id,
    keyset=Keyset(WebhookBinding.created_at, WebhookBinding.id),
)
"""The tenant's webhook bindings, found by source and id, listed oldest first."""


async def list_bindings(
    session: AsyncSession, source_id: uuid.UUID, page: PageRequest = EVERY
) -> Page[WebhookBinding]:
    """A source's bindings, oldest first: a page of them, or (by default) every one."""
    query = BINDINGS.select().where(WebhookBinding.source_id == source_id)
    return await BINDINGS.list(session, page, query)


async def bindings_by_source(session: AsyncSession) -> dict[uuid.UUID, list[WebhookBinding]]:
    """Every binding of the tenant's sources, by source id, oldest first (a source without
    bindings is not listed)."""
    query = BINDINGS.select().order_by(WebhookBinding.created_at, WebhookBinding.id)
    found: dict[uuid.UUID, list[WebhookBinding]] = {}
    for binding in await session.scalars(query):
        found.setdefault(binding.source_id, []).append(binding)
    return found


async def claims_on(
    session: AsyncSession, provider: str, pairs: Sequence[tuple[str, str]]
) -> Sequence[WebhookRoute]:
    """The organization's claims on any of the (key, value) ``pairs`` of ``provider``."""
    if not pairs:
        return []
    query = select(WebhookRoute).where(
        WebhookRoute.provider == provider,
        tuple_(WebhookRoute.key, WebhookRoute.value).in_(list(pairs)),
    )
    return (await session.scalars(query.order_by(WebhookRoute.key, WebhookRoute.value))).all()


async def delete_claims(session: AsyncSession, tenant_id: uuid.UUID, source_id: uuid.UUID) -> None:
    """Drop a source's claims (the tenant's own: the policy would let it reach its siblings')."""
    await session.execute(
        delete(WebhookRoute).where(
            WebhookRoute.tenant_id == tenant_id, WebhookRoute.source_id == source_id
        )
    )


async def lock_unrouted(session: AsyncSession, source_id: uuid.UUID) -> None:
    """Lock the source's deliveries still waiting to be routed, waiting for a router that
    holds them (as it does, then takes a key-share lock on the source its events go to)."""
    await session.execute(
        select(WebhookInboxEntry.id)
        .where(WebhookInboxEntry.source_id == source_id, WebhookInboxEntry.status == "received")
        .order_by(WebhookInboxEntry.id)
        .with_for_update()
    )
