"""The Dramatiq Redis broker and the actors registered on it."""

from __future__ import annotations

from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from orchestrator.core.outbox.kinds import (
    ADVANCE_WORKFLOW,
    DELIVER_CALLBACK,
    FORWARD_WEBHOOK,
    ROUTE_WEBHOOK,
    ROUTES,
    RUN_JOB,
)
from orchestrator.core.settings import RedisSettings
from orchestrator.worker.actors import (
    callbacks,
    job_retention,
    jobs,
    retention,
    webhooks,
    workflows,
)
from orchestrator.worker.doorbell_broker import DoorbellRedisBroker

MAINTENANCE_QUEUE = "maintenance"


def build_broker(
    settings: RedisSettings,
    *,
    heartbeat_timeout_s: float = 60.0,
    maintenance_chance: float = 0.001,
) -> DoorbellRedisBroker:
    """A Redis broker with async actors, namespaced so deployments can share a Redis, whose
    idle consumers wait on doorbells (ADR 0091).

    A worker that dies (SIGKILL, OOM) leaves the messages it had fetched unacknowledged;
    another broker client puts them back on their queue once the dead one has been silent
    for ``heartbeat_timeout_s``, on a ``maintenance_chance`` share of its commands.
    """
    # A client of ours, not ``url=``: Dramatiq would build its pool without our timeouts.
    client = redis.Redis.from_url(settings.require_url(), **settings.client_options())
    broker = DoorbellRedisBroker(  # type: ignore[no-untyped-call]
        client=client,
        namespace=f"{settings.namespace}-dramatiq",
        heartbeat_timeout=round(heartbeat_timeout_s * 1000),
        maintenance_chance=round(maintenance_chance * MAINTENANCE_SCALE),
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
    actors += [
        # Published by the outbox relay, which names them by kind (core/outbox/kinds.py).
        dramatiq.actor(
            broker=broker, actor_name=ROUTES[RUN_JOB].actor, queue_name=ROUTES[RUN_JOB].queue
        )(jobs.run_jobs),
        # One job (one event) a message, as relays published before batching; still drained.
        dramatiq.actor(broker=broker, actor_name="run_job", queue_name=ROUTES[RUN_JOB].queue)(
            jobs.run_job
        ),
        dramatiq.actor(
            broker=broker, actor_name="route_webhook", queue_name=ROUTES[ROUTE_WEBHOOK].queue
        )(webhooks.route_webhook),
        dramatiq.actor(
            broker=broker,
            actor_name=ROUTES[DELIVER_CALLBACK].actor,
            queue_name=ROUTES[DELIVER_CALLBACK].queue,
        )(callbacks.deliver_callback),
        # The worker consumes every queue its actors declare, "webhooks" among them.
        *(
            dramatiq.actor(
                broker=broker, actor_name=ROUTES[kind].actor, queue_name=ROUTES[kind].queue
            )(fn)
            for kind, fn in (
                (ROUTE_WEBHOOK, webhooks.route_webhooks),
                (FORWARD_WEBHOOK, webhooks.forward_webhook),
                (ADVANCE_WORKFLOW, workflows.advance_workflow),
            )
        ),
        dramatiq.actor(
            broker=broker,
            actor_name=job_retention.JOBS_MAINTENANCE,
            queue_name=MAINTENANCE_QUEUE,
            max_retries=3,
        )(job_retention.jobs_maintenance),
    ]
    return {actor.actor_name: actor for actor in actors}
