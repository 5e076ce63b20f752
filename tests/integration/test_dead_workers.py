"""A dead worker's fetched messages go back to their queue within a heartbeat timeout, once.

Runs against real Dramatiq consumers on Redis: a worker fetches messages and dies without
acknowledging them (its consumer is simply never used again), and the reaper of another
worker puts them back (``worker/dead_workers.py``, ADR 0081). Dramatiq's own random
requeueing is off, so only the reaper can have done it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

from orchestrator.core.outbox.kinds import JOBS_QUEUE, ROUTES, RUN_JOB
from orchestrator.core.settings import CoreSettings
from orchestrator.worker.broker import build_broker, register_actors
from orchestrator.worker.dead_workers import DeadWorkerReaper
from orchestrator.worker.doorbell_broker import DoorbellRedisBroker

pytestmark = pytest.mark.integration

TIMEOUT_S = 0.5


@pytest.fixture
def worker_brokers(settings: CoreSettings) -> Iterator[list[DoorbellRedisBroker]]:
    """Three worker processes' brokers on one namespace of their own, as the worker builds
    them, with Dramatiq's own requeueing off."""
    redis_settings = msgspec.structs.replace(
        settings.redis, namespace=f"reaper-{uuid.uuid4().hex[:8]}"
    )
    brokers = [
        build_broker(redis_settings, heartbeat_timeout_s=TIMEOUT_S, maintenance_chance=0)
        for _ in range(3)
    ]
    for broker in brokers:
        register_actors(broker)
    yield brokers
    brokers[0].flush_all()
    for broker in brokers:
        broker.close()


def fetch(broker: RedisBroker, count: int, wait_s: float = 3.0) -> list[str]:
    """Fetch up to ``count`` run_jobs messages as a worker's consumer does, unacknowledged,
    for at most ``wait_s``."""
    consumer = broker.consume(JOBS_QUEUE, prefetch=count, timeout=50)
    ids: list[str] = []
    deadline = time.monotonic() + wait_s
    while len(ids) < count and time.monotonic() < deadline:
        message = next(consumer)
        if message is not None:
            ids.append(message.options["redis_message_id"])
    return ids


def send(broker: RedisBroker) -> str:
    """Enqueue one run_jobs message; its Redis message id."""
    message: Message[Any] = Message(
        queue_name=JOBS_QUEUE,
        actor_name=ROUTES[RUN_JOB].actor,
        args=(str(uuid.uuid4()), []),
        kwargs={},
        options={},
    )
    return str(broker.enqueue(message).options["redis_message_id"])


def test_a_dead_workers_messages_are_requeued_once_however_many_workers_look(
    worker_brokers: list[DoorbellRedisBroker],
) -> None:
    dead, alive, other = worker_brokers
    sent = {send(dead) for _ in range(3)}
    assert set(fetch(dead, 3)) == sent
    reapers = [DeadWorkerReaper(broker) for broker in (alive, other)]

    # Within the timeout the fetching worker is alive: its messages stay with it.
    assert reapers[0].reap_once() == (0, 0)
    assert fetch(alive, 1, wait_s=0.3) == []

    time.sleep(TIMEOUT_S + 0.2)
    # Both live workers look; between them each message is requeued once.
    requeued = [reaper.reap_once()[1] for reaper in reapers]
    assert sorted(requeued) == [0, 3]
    assert set(fetch(alive, 3)) == sent
    assert fetch(other, 1, wait_s=0.3) == []


def test_a_worker_that_keeps_heartbeating_keeps_its_messages(
    worker_brokers: list[DoorbellRedisBroker],
) -> None:
    busy, looking, _ = worker_brokers
    send(busy)
    assert len(fetch(busy, 1)) == 1
    own, other = DeadWorkerReaper(busy), DeadWorkerReaper(looking)
    for _ in range(4):  # longer than the timeout, with no broker command but the heartbeat
        time.sleep(TIMEOUT_S / 2)
        own.reap_once()
        assert other.reap_once()[1] == 0
    assert fetch(looking, 1, wait_s=0.3) == []
