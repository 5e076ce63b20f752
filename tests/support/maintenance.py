"""Asking the running worker for its maintenance now, rather than on its schedule."""

from __future__ import annotations

from dramatiq import Message

from orchestrator.core.settings import RedisSettings
from orchestrator.worker.actors.retention import PURGE_EXPIRED_REVOCATIONS
from orchestrator.worker.broker import MAINTENANCE_QUEUE, build_broker


def purge_expired_revocations_now(redis: RedisSettings) -> None:
    """Enqueue the worker's purge of expired ``jti`` and subject revocations."""
    broker = build_broker(redis)
    broker.enqueue(
        Message(
            queue_name=MAINTENANCE_QUEUE,
            actor_name=PURGE_EXPIRED_REVOCATIONS,
            args=(),
            kwargs={},
            options={},
        )
    )
    broker.close()
