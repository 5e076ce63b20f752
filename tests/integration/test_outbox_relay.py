"""The outbox relay: publishes each due row once, races safely, survives a broker outage.

Runs on a database of its own (no other relay may see these rows) and a Redis
namespace of its own; the outage test also runs its own exec-api and Redis.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import dramatiq
import httpx
import pytest
from dramatiq.brokers.redis import RedisBroker
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlalchemy import func, select, text

from orchestrator.cli.infra import EmbeddedRedis
from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import SILENT, Waker
from orchestrator.core.jobs import submission
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.models import OutboxMessage
from orchestrator.core.outbox import writer
from orchestrator.core.outbox.kinds import JOBS_QUEUE, RUN_JOB
from orchestrator.core.outbox.publisher import BrokerPublisher
from orchestrator.core.outbox.relay import Relay, RelayConfig
from orchestrator.core.settings import CoreSettings
from orchestrator.core.upstream.ssrf import NetworkPolicy
from tests.support.factories import new_tenant
from tests.support.jobs import IsolatedDb, add_connector, exec_token
from tests.support.stack import free_port, start_service, wait_ready

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures


class Recording:
    """A publisher that records what it publishes, then hands it to a real broker."""

    def __init__(self, inner: BrokerPublisher | None = None, *, fail: bool = False) -> None:
        self.inner = inner
        self.fail = fail
        self.outbox_ids: list[int] = []

    async def publish(self, messages: Sequence[dramatiq.Message[Any]]) -> None:
        if self.fail:
            raise ConnectionError("the broker is down")
        if self.inner is not None:
            await self.inner.publish(messages)
        self.outbox_ids += [i for m in messages for i in m.options["outbox_ids"]]


RelayDb = Callable[[], AutocommitConnection]


@pytest.fixture
async def relay_db(isolated: IsolatedDb) -> AsyncIterator[RelayDb]:
    """New autocommit connections to the isolated database, one a relay; closed after."""
    made: list[AutocommitConnection] = []

    def new() -> AutocommitConnection:
        made.append(AutocommitConnection(isolated.settings.db))
        return made[-1]

    yield new
    for connection in made:
        await connection.close()


@pytest.fixture
def namespace() -> str:
    return f"orch-relay-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def broker(settings: CoreSettings, namespace: str) -> Iterator[RedisBroker]:
    """A real Dramatiq Redis broker in a namespace of its own, flushed afterwards."""
    broker = RedisBroker(url=settings.redis.require_url(), namespace=f"{namespace}-dramatiq")  # type: ignore[no-untyped-call]
    yield broker
    client = SyncRedis.from_url(settings.redis.require_url())
    for key in client.scan_iter(f"{namespace}-dramatiq*"):
        client.delete(key)
    client.close()
    broker.close()


PublisherFor = Callable[[RedisBroker], BrokerPublisher]


@pytest.fixture
async def publisher_for() -> AsyncIterator[PublisherFor]:
    """Publishers to a broker's Redis through asyncio clients, closed after the test."""
    clients: list[Redis] = []

    def make(broker: RedisBroker) -> BrokerPublisher:
        where = broker.client.connection_pool.connection_kwargs
        clients.append(Redis(host=where["host"], port=where["port"], db=where.get("db", 0)))
        return BrokerPublisher(broker, clients[-1])

    yield make
    for client in clients:
        await client.aclose()


def queue_length(broker: RedisBroker) -> int:
    return int(broker.client.llen(f"{broker.namespace}:{JOBS_QUEUE}"))


def queued_messages(broker: RedisBroker) -> list[dramatiq.Message[Any]]:
    raw = broker.client.hgetall(f"{broker.namespace}:{JOBS_QUEUE}.msgs")
    return [
        dramatiq.Message.decode(value if isinstance(value, bytes) else str(value).encode())
        for value in raw.values()
    ]


def carried_jobs(broker: RedisBroker, tenant_id: str | None = None) -> list[str]:
    """The job ids the queued ``run_jobs`` messages carry (of one workspace, when given)."""
    return [
        job
        for m in queued_messages(broker)
        if tenant_id in (None, m.kwargs["tenant_id"])
        for job in m.kwargs["job_ids"]
    ]


async def write_rows(isolated: IsolatedDb, count: int, *, delay_s: float = 0) -> uuid.UUID:
    """``count`` run_job rows of a new workspace; its id."""
    workspace_id = uuid.uuid4()
    async with isolated.app() as session, session.begin():
        for _ in range(count):
            await writer.enqueue(
                session,
                SILENT,
                workspace_id=workspace_id,
                kind=RUN_JOB,
                payload={"tenant_id": str(workspace_id), "job_id": str(uuid.uuid4())},
                available_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay_s)
                if delay_s
                else None,
            )
    return workspace_id


async def unpublished(isolated: IsolatedDb, workspace_id: uuid.UUID) -> int:
    async with isolated.owner() as session:
        count = await session.scalar(
            select(func.count()).where(
                OutboxMessage.workspace_id == workspace_id, OutboxMessage.published_at.is_(None)
            )
        )
    return int(count or 0)


async def test_due_rows_are_published_once_and_delayed_rows_wait(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    broker: RedisBroker,
    publisher_for: PublisherFor,
) -> None:
    due = await write_rows(isolated, 3)
    later = await write_rows(isolated, 2, delay_s=0.6)
    recording = Recording(publisher_for(broker))
    relay = Relay(relay_db(), recording, config=RelayConfig(batch_size=2))
    assert await relay.drain() == 3  # two batches
    assert await relay.drain() == 0
    assert (await unpublished(isolated, due), await unpublished(isolated, later)) == (0, 2)
    assert len(set(recording.outbox_ids)) == 3
    # One workspace's jobs travel together: a message for each batch of two, then one.
    assert queue_length(broker) == 2
    messages = sorted(queued_messages(broker), key=lambda m: len(m.kwargs["job_ids"]))
    assert [(m.queue_name, m.actor_name) for m in messages] == [(JOBS_QUEUE, "run_jobs")] * 2
    assert all(set(m.kwargs) == {"tenant_id", "job_ids"} for m in messages)  # ids only
    assert [len(m.kwargs["job_ids"]) for m in messages] == [1, 2]
    await asyncio.sleep(0.7)
    assert await relay.drain() == 2
    assert await unpublished(isolated, later) == 0


async def test_two_relays_racing_publish_every_row_exactly_once(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    broker: RedisBroker,
    publisher_for: PublisherFor,
) -> None:
    workspace_id = await write_rows(isolated, 1200)
    publishers = [Recording(publisher_for(broker)) for _ in range(2)]
    relays = [Relay(relay_db(), p, config=RelayConfig(batch_size=100)) for p in publishers]
    totals = await asyncio.gather(*(relay.drain() for relay in relays))
    # Each drain stops at its first short batch; a last pass picks up any remainder.
    totals.append(await relays[0].drain())
    published = publishers[0].outbox_ids + publishers[1].outbox_ids
    assert sum(totals) == 1200
    assert len(published) == len(set(published)) == 1200
    assert all(p.outbox_ids for p in publishers), "both relays should have taken a share"
    assert await unpublished(isolated, workspace_id) == 0
    carried = carried_jobs(broker)
    assert len(carried) == len(set(carried)) == 1200


async def test_rows_wait_while_the_broker_is_down_and_go_out_when_it_returns(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    broker: RedisBroker,
    publisher_for: PublisherFor,
) -> None:
    workspace_id = await write_rows(isolated, 5)
    dead = RedisBroker(url=f"redis://127.0.0.1:{free_port()}/0")  # type: ignore[no-untyped-call]
    relay = Relay(relay_db(), publisher_for(dead))
    for _ in range(2):
        with pytest.raises(Exception, match=r"(?i)connect"):
            await relay.run_once()
        assert await unpublished(isolated, workspace_id) == 5  # released: due again at once
    dead.close()
    relay = Relay(relay_db(), publisher_for(broker))
    assert await relay.drain() == 5
    assert await unpublished(isolated, workspace_id) == 0
    assert len(set(carried_jobs(broker))) == 5


async def test_rows_go_out_after_redis_lost_the_broker_scripts(
    relay_db: RelayDb, isolated: IsolatedDb, broker: RedisBroker, publisher_for: PublisherFor
) -> None:
    workspace_id = await write_rows(isolated, 3)
    broker.client.script_flush()  # as after a Redis restart: the script's digest is unknown
    assert await Relay(relay_db(), publisher_for(broker)).drain() == 3
    assert await unpublished(isolated, workspace_id) == 0
    assert len(set(carried_jobs(broker))) == 3


async def test_a_notification_wakes_the_relay_within_milliseconds(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    broker: RedisBroker,
    settings: CoreSettings,
    namespace: str,
    publisher_for: PublisherFor,
) -> None:
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(isolated.app, tenant.tenant_id)
    redis = Redis.from_url(settings.redis.require_url())
    waker = Waker(redis, namespace)
    # A 5 s poll: only the wake-up can make dispatch fast.
    relay = Relay(
        relay_db(),
        publisher_for(broker),
        redis=redis,
        namespace=namespace,
        config=RelayConfig(poll_s=5.0),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.3)  # subscribed, first (empty) pass done
        latencies = []
        for _ in range(5):
            started = time.perf_counter()
            async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
                await submission.submit(
                    session,
                    waker,
                    tenant.tenant_id,
                    submission.NewJob("echo", "get", {}),
                    network=NetworkPolicy(),
                )
            before = queue_length(broker)
            for _ in range(1500):
                if queue_length(broker) > before:
                    break
                await asyncio.sleep(0.002)
            latencies.append(time.perf_counter() - started)
        # Each well under the 5 s poll (bounds wide enough for a loaded box).
        assert max(latencies) < 2.5, latencies
        assert sorted(latencies)[2] < 1.0, latencies
    finally:
        stop.set()
        await running
        await redis.aclose()


class Batches(Recording):
    """A recording publisher that also keeps each publish call's outbox ids apart."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[int]] = []

    async def publish(self, messages: Sequence[dramatiq.Message[Any]]) -> None:
        self.batches.append([i for m in messages for i in m.options["outbox_ids"]])
        await super().publish(messages)


async def test_a_loaded_relay_lingers_for_fuller_batches_and_an_unloaded_one_does_not(
    relay_db: RelayDb, isolated: IsolatedDb, settings: CoreSettings, namespace: str
) -> None:
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(isolated.app, tenant.tenant_id)
    redis = Redis.from_url(settings.redis.require_url())
    waker = Waker(redis, namespace)
    publisher = Batches()
    relay = Relay(
        relay_db(),
        publisher,
        redis=redis,
        namespace=namespace,
        config=RelayConfig(poll_s=5.0, linger_s=0.5),
    )

    async def submit(jobs: int) -> None:
        async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
            for _ in range(jobs):
                await submission.submit(
                    session,
                    waker,
                    tenant.tenant_id,
                    submission.NewJob("echo", "get", {}),
                    network=NetworkPolicy(),
                )

    async def published(count: int) -> float:
        started = time.monotonic()
        while len(publisher.outbox_ids) < count:
            assert time.monotonic() - started < 3, publisher.batches
            await asyncio.sleep(0.005)
        return time.monotonic() - started

    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(1.0)  # subscribed, past the pass its subscription's wake-up made
        await submit(1)  # unloaded: out at once, well inside the linger
        assert await published(1) < 0.25
        await submit(2)  # a pass of two rows: the relay takes itself for loaded
        await published(3)
        for _ in range(3):  # three commits 50 ms apart: the first wakes it, it lingers
            await submit(1)
            await asyncio.sleep(0.05)
        await published(6)
        assert [len(batch) for batch in publisher.batches if batch] == [1, 2, 3]
    finally:
        stop.set()
        await running
        await redis.aclose()


# --- A broker outage end to end: a real exec-api whose Redis stops and restarts ----------


@pytest.fixture
def embedded_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", port=free_port())
    server.start()
    yield server
    server.stop()


async def test_jobs_submitted_while_redis_is_down_are_accepted_then_published(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    isolated_url: str,
    service_env: dict[str, str],
    embedded_redis: EmbeddedRedis,
    publisher_for: PublisherFor,
) -> None:
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(isolated.app, tenant.tenant_id)
    token = await exec_token(isolated, tenant.tenant_id)
    env = {**service_env, "DATABASE_URL": isolated_url, "REDIS_URL": embedded_redis.url}
    exec_api = start_service("exec-api-outage", "orchestrator.exec_api", env)
    try:
        await asyncio.to_thread(wait_ready, exec_api)
        embedded_redis.stop()
        async with httpx.AsyncClient(timeout=10) as http:
            responses = await asyncio.gather(
                *(
                    http.post(
                        f"{exec_api.url}/api/v1/jobs",
                        json={"connector": "echo", "operation": "get", "payload": {"i": i}},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    for i in range(20)
                )
            )
        assert [r.status_code for r in responses] == [202] * 20, responses[0].text
        assert await unpublished(isolated, tenant.tenant_id) == 20
        broker = RedisBroker(url=embedded_redis.url, namespace="outage-dramatiq")  # type: ignore[no-untyped-call]
        relay = Relay(relay_db(), publisher_for(broker), config=RelayConfig(poll_s=0.05))
        with pytest.raises(Exception, match=r"(?i)connect"):
            await relay.run_once()
        assert await unpublished(isolated, tenant.tenant_id) == 20
        embedded_redis.start()  # Redis returns
        stop = asyncio.Event()
        running = asyncio.create_task(relay.run(stop))
        try:
            for _ in range(100):
                if await unpublished(isolated, tenant.tenant_id) == 0:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await running
        assert await unpublished(isolated, tenant.tenant_id) == 0
        carried = carried_jobs(broker)
        assert len(carried) == len(set(carried)) == 20
        broker.close()
    finally:
        exec_api.stop()


# --- Retention and the safety-net sweep --------------------------------------------------


async def test_published_rows_are_purged_after_the_retention_period(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    broker: RedisBroker,
    publisher_for: PublisherFor,
) -> None:
    workspace_id = await write_rows(isolated, 4)
    await Relay(relay_db(), publisher_for(broker)).drain()
    pending = await write_rows(isolated, 1, delay_s=60)
    async with isolated.owner() as session, session.begin():
        await session.execute(
            text(
                "UPDATE outbox SET published_at = now() - interval '2 hours' "
                "WHERE workspace_id = :w AND id IN "
                "(SELECT id FROM outbox WHERE workspace_id = :w ORDER BY id LIMIT 3)"
            ),
            {"w": workspace_id},
        )
    assert await maintenance.purge_published_outbox(isolated.app, keep=dt.timedelta(hours=1)) >= 3
    async with isolated.owner() as session:
        left = await session.scalar(
            select(func.count()).where(OutboxMessage.workspace_id == workspace_id)
        )
    assert left == 1  # the one published recently
    assert await unpublished(isolated, pending) == 1  # never purged before it is published


async def test_the_sweep_redispatches_stuck_jobs_unless_the_relay_is_behind(
    relay_db: RelayDb,
    isolated: IsolatedDb,
    broker: RedisBroker,
    publisher_for: PublisherFor,
) -> None:
    tenant = await new_tenant(isolated.app, isolated.kek)
    await add_connector(isolated.app, tenant.tenant_id)
    ids = []
    for _ in range(3):
        async with tenant_transaction(isolated.app, tenant.tenant_id) as session:
            job = await submission.submit(
                session,
                SILENT,
                tenant.tenant_id,
                submission.NewJob("echo", "get", {}),
                network=NetworkPolicy(),
            )
        ids.append(job.id)
    # The relay is behind (rows due long ago, unpublished): queued jobs still have theirs.
    async with isolated.owner() as session, session.begin():
        await session.execute(
            text(
                "UPDATE outbox SET available_at = now() - interval '10 minutes' WHERE workspace_id = :w"
            ),
            {"w": tenant.tenant_id},
        )
    assert await maintenance.sweep_overdue_jobs(isolated.app, SILENT, grace_s=60) == 0
    await Relay(relay_db(), publisher_for(broker)).drain()
    # Now their messages are lost (say Redis kept no data): one stuck queued, one running on a
    # lease long expired, one fine.
    async with isolated.owner() as session, session.begin():
        await session.execute(
            text("UPDATE jobs SET available_at = now() - interval '10 minutes' WHERE id = :id"),
            {"id": ids[0]},
        )
        await session.execute(
            text(
                "UPDATE jobs SET status = 'running', attempts = 1, "
                "lease_until = now() - interval '10 minutes' WHERE id = :id"
            ),
            {"id": ids[1]},
        )
    assert await maintenance.sweep_overdue_jobs(isolated.app, SILENT, grace_s=60) == 2
    assert await Relay(relay_db(), publisher_for(broker)).drain() == 2
    sent = Counter(carried_jobs(broker, str(tenant.tenant_id)))
    assert sent == {str(ids[0]): 2, str(ids[1]): 2, str(ids[2]): 1}
