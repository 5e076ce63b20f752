"""An idle consumer fetches the moment a message is put on its queue (ADR 0091).

Real Dramatiq consumers on Redis, as the worker builds them: a consumer that found its
queue empty blocks on the queue's doorbell for up to its idle timeout (here seconds), and
each way of putting a message on the queue (the outbox publisher, ``enqueue``, a stopping
consumer's ``requeue``) must wake it at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from dramatiq import Message
from redis.asyncio import Redis

from orchestrator.core.outbox.kinds import JOBS_QUEUE, ROUTES, RUN_JOB
from orchestrator.core.outbox.publisher import BrokerPublisher
from orchestrator.core.settings import CoreSettings
from orchestrator.worker.broker import build_broker, register_actors
from orchestrator.worker.doorbell_broker import DoorbellRedisBroker

pytestmark = pytest.mark.integration

IDLE_TIMEOUT_MS = 4000
"""The consumers' idle wait: a consumer not woken would return only after this long."""
WOKEN_WITHIN_S = 0.5


@pytest.fixture
def broker(settings: CoreSettings) -> Iterator[DoorbellRedisBroker]:
    """A worker's broker on a namespace of its own, its socket timeout above the idle wait."""
    redis_settings = msgspec.structs.replace(
        settings.redis, namespace=f"doorbell-{uuid.uuid4().hex[:8]}", socket_timeout_s=10.0
    )
    broker = build_broker(redis_settings, maintenance_chance=0)
    register_actors(broker)
    yield broker
    broker.flush_all()
    broker.close()


def message() -> Message[Any]:
    return Message(
        queue_name=JOBS_QUEUE,
        actor_name=ROUTES[RUN_JOB].actor,
        args=(str(uuid.uuid4()), []),
        kwargs={},
        options={},
    )


def seconds_to_receive(broker: DoorbellRedisBroker, put: Callable[[], object]) -> float:
    """From ``put`` (called once the consumer waits idle) to the consumer holding a message."""
    consumer = broker.consume(JOBS_QUEUE, prefetch=1, timeout=IDLE_TIMEOUT_MS)
    received = threading.Event()

    def consume() -> None:
        deadline = time.monotonic() + 2 * IDLE_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            if next(consumer) is not None:
                received.set()
                return

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    time.sleep(0.3)  # the consumer has found the queue empty and waits
    assert not received.is_set()
    started = time.monotonic()
    put()
    assert received.wait(2 * IDLE_TIMEOUT_MS / 1000)
    thread.join(5)
    return time.monotonic() - started


def test_enqueue_wakes_an_idle_consumer(broker: DoorbellRedisBroker) -> None:
    assert seconds_to_receive(broker, lambda: broker.enqueue(message())) < WOKEN_WITHIN_S


def test_the_outbox_publisher_wakes_an_idle_consumer(
    broker: DoorbellRedisBroker, settings: CoreSettings
) -> None:
    async def publish() -> None:
        redis = Redis.from_url(settings.redis.require_url())
        try:
            await BrokerPublisher(broker, redis).publish([message()])
        finally:
            await redis.aclose()

    assert seconds_to_receive(broker, lambda: asyncio.run(publish())) < WOKEN_WITHIN_S


def test_a_stopping_consumers_requeue_wakes_another(broker: DoorbellRedisBroker) -> None:
    stopping = broker.consume(JOBS_QUEUE, prefetch=1, timeout=50)
    broker.enqueue(message())
    held = next(stopping)
    while held is None:
        held = next(stopping)
    assert seconds_to_receive(broker, lambda: stopping.requeue([held])) < WOKEN_WITHIN_S
