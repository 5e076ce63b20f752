"""Which webhook sources use a secret ref or a connector, asked before either changes.

The questions are configuration's (may this ref or connector go, may this operation
vanish?), but the answers read webhook tables, so they live here.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.errors import refuse_if_used
from orchestrator.core.webhooks.models import WebhookBinding, WebhookSource


async def webhook_sources_using_secret_ref(session: AsyncSession, name: str) -> list[str]:
    """Names of the webhook sources that verify with the ref ``name``."""
    uses = WebhookSource.secret_refs.contains(func.jsonb_build_array(name))
    query = select(WebhookSource.name).where(uses).order_by(WebhookSource.name)
    return list(await session.scalars(query))


async def webhook_sources_binding_connector(session: AsyncSession, name: str) -> list[str]:
    """Names of the webhook sources with a binding that starts jobs of connector ``name``."""
    query = (
        select(WebhookSource.name)
        .join(WebhookBinding, WebhookBinding.source_id == WebhookSource.id)
        .where(WebhookBinding.connector == name)
        .distinct()
        .order_by(WebhookSource.name)
    )
    return list(await session.scalars(query))


def refuse_if_sources(sources: list[str], reason: str) -> None:
    """409 naming the webhook ``sources`` (``used_by_webhook_sources``) that still need an
    item configuration would delete."""
    refuse_if_used(sources, reason, member="used_by_webhook_sources")


BoundOperations = dict[str, dict[str, list[str]]]
"""Connector name → operation → names of the webhook sources with a job binding of it."""


async def bound_operations(session: AsyncSession, connector: str | None = None) -> BoundOperations:
    """The operations job bindings start, of ``connector`` (default: of every connector)."""
    query = (
        select(WebhookBinding.connector, WebhookBinding.operation, WebhookSource.name)
        .join(WebhookSource, WebhookSource.id == WebhookBinding.source_id)
        .where(WebhookBinding.connector.is_not(None), WebhookBinding.operation.is_not(None))
        .distinct()
        .order_by(WebhookBinding.connector, WebhookBinding.operation, WebhookSource.name)
    )
    if connector is not None:
        query = query.where(WebhookBinding.connector == connector)
    bound: BoundOperations = {}
    for name, operation, source in await session.execute(query):
        if name is not None and operation is not None:  # by the WHERE clause
            bound.setdefault(name, {}).setdefault(operation, []).append(source)
    return bound
