"""The Dramatiq Redis broker and the actors registered on it."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from orchestrator.core.settings import RedisSettings
from orchestrator.worker.actors import retention

MAINTENANCE_QUEUE = "maintenance"


def build_broker(settings: RedisSettings) -> RedisBroker:
    """A Redis broker with async actors, namespaced so deployments can share a Redis."""
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.require_url(), namespace=f"{settings.namespace}-dramatiq"
    )
    broker.add_middleware(AsyncIO())
    return broker


def register_actors(broker: RedisBroker) -> dict[str, dramatiq.Actor[..., Any]]:
    """Declare every actor on ``broker``; returns them by name."""
    maintenance = dramatiq.actor(
        broker=broker,
        actor_name=retention.PURGE_EXPIRED_REVOCATIONS,
        queue_name=MAINTENANCE_QUEUE,
        max_retries=3,
    )
    actors: list[dramatiq.Actor[..., Any]] = [maintenance(retention.purge_expired_revocations)]
    return {actor.actor_name: actor for actor in actors}
