"""Queries of webhook sources, bindings and routing claims; every one runs under the
session's tenant (RLS): its own sources and bindings, its organization's claims."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.pages import EVERY, Keyset, Page, PageRequest
from orchestrator.core.webhooks.models import WebhookBinding, WebhookRoute, WebhookSource


async def list_sources(session: AsyncSession, page: PageRequest = EVERY) -> Page[WebhookSource]:
    """The tenant's webhook sources by name: a page of them, or (by default) every one."""
    return await Keyset(WebhookSource.name).scalars(session, select(WebhookSource), page)


async def source_by_id(
    session: AsyncSession, source_id: uuid.UUID, *, for_update: bool = False
) -> WebhookSource | None:
    """One source, locked for the transaction when ``for_update``."""
    query = select(WebhookSource).where(WebhookSource.id == source_id)
    return await session.scalar(query.with_for_update() if for_update else query)


async def source_name_taken(
    session: AsyncSession, name: str, *, besides: uuid.UUID | None = None
) -> bool:
    """Whether another source of the tenant is called ``name``."""
    query = select(WebhookSource.id).where(WebhookSource.name == name)
    if besides is not None:
        query = query.where(WebhookSource.id != besides)
    return await session.scalar(query.limit(1)) is not None


async def list_bindings(
    session: AsyncSession, source_id: uuid.UUID, page: PageRequest = EVERY
) -> Page[WebhookBinding]:
    """A source's bindings, oldest first: a page of them, or (by default) every one."""
    query = select(WebhookBinding).where(WebhookBinding.source_id == source_id)
    return await Keyset(WebhookBinding.created_at, WebhookBinding.id).scalars(session, query, page)


async def binding_by_id(
    session: AsyncSession, source_id: uuid.UUID, binding_id: uuid.UUID
) -> WebhookBinding | None:
    """One binding of a source."""
    query = select(WebhookBinding).where(
        WebhookBinding.source_id == source_id, WebhookBinding.id == binding_id
    )
    return await session.scalar(query)


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
