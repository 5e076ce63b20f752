"""A frozen PostgreSQL or Redis gives every request a fast 503, never a hang.

The services run against a PostgreSQL and a Redis of this module's own, which the tests
stop with SIGSTOP (every process of the server) while requests of every kind keep coming:
a server that accepts connections and answers nothing, which no server-side timeout
covers. Each request must be answered within ``BOUND_S``, with a success or a 503 problem
carrying ``Retry-After``; everything must serve again soon after SIGCONT; and nothing that
was accepted may be lost: every job answered 202 runs, every delivery answered 200 and
every secret ref answered 201 is stored.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.cli.infra import EmbeddedRedis
from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.models import Job
from orchestrator.core.migrations import runner
from orchestrator.core.policy.model import PolicySpec, RetryPolicy, TimeoutPolicy
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.models import WebhookInboxEntry
from tests.support.control_api import Api
from tests.support.durability import add_charge_connector, status_counts, until
from tests.support.factories import fetch_token, new_tenant
from tests.support.freezable import DedicatedPostgres, Freezer
from tests.support.stack import Service, free_port, start_service, wait_ready
from tests.support.upstream import upstream_process
from tests.support.webhooks import stripe_event, stripe_headers, stripe_source

pytestmark = pytest.mark.integration

BOUND_S = 5.0
"""Every request is answered within this, frozen dependency or not."""
FROZEN_S = 7.0
"""How long a dependency stays frozen: past the request deadline, so requests that
started while it was frozen are answered while it still is."""
RECOVERY_S = 10.0
WARM_S = 2.0
"""Traffic before the freeze: the services' first requests (cold caches, first queries
compiled, new connections) are slow on a loaded machine; what is measured starts
``IN_FLIGHT_S`` before the freeze, so requests caught in flight by it count."""
IN_FLIGHT_S = 1.0
"""After SIGCONT, every kind of request succeeds again within this."""
POLICY = PolicySpec(
    timeout=TimeoutPolicy(connect_s=1.0, read_s=2.0, total_s=2.0),
    retry=RetryPolicy(max_attempts=3),
)
PAYLOAD = {"id": "o-first", "amount": 1}
SERVICES = (
    ("control-api", "orchestrator.control_api"),
    ("exec-api", "orchestrator.exec_api"),
    ("webhook-ingress", "orchestrator.webhook_ingress"),
    ("worker", "orchestrator.worker"),
)


@dataclass
class Plane:
    """The services on the module's own PostgreSQL and Redis, and what the tests use."""

    services: dict[str, Service]
    app: async_sessionmaker[AsyncSession]
    tenant: BootstrapResult
    exec_token: str
    control_token: str
    connector: str
    source_id: str
    first_job: str
    """A job accepted before any test: what the job reads read until one accepts another."""
    postgres: Freezer
    redis: Freezer

    def url(self, name: str) -> str:
        """Base URL of a service."""
        return self.services[name].url


@dataclass(frozen=True)
class Answer:
    """One request and its answer (``status`` 0: no answer at all)."""

    kind: str
    started: float
    elapsed_s: float
    status: int
    content_type: str = ""
    retry_after: str | None = None
    body: str = ""
    created: str | None = None
    """What a 2xx write created: a job id, an event id, a secret ref name."""


@dataclass
class Outcome:
    """Every answer of one test's traffic, and when the dependency froze and thawed."""

    answers: list[Answer] = field(default_factory=list)
    frozen_at: float = 0.0
    thawed_at: float = 0.0

    def created(self, kind: str) -> set[str]:
        """What the writes of ``kind`` answered 2xx created."""
        return {a.created for a in self.answers if a.kind == kind and a.created and a.status < 300}


@pytest.fixture(scope="module")
def dedicated_postgres() -> Iterator[DedicatedPostgres]:
    """A PostgreSQL of this module's own, migrated, in a directory of its own (not under
    pytest's numbered base directory, which concurrent runs may share)."""
    with tempfile.TemporaryDirectory(prefix="orch-frozen-") as directory:
        server = DedicatedPostgres(Path(directory) / "pgdata")
        try:
            runner.upgrade(server.start())
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def dedicated_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A Redis of this module's own."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("frozen-redis"), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def upstream_url() -> Iterator[str]:
    """The upstream the connector calls, in a process of its own."""
    with upstream_process() as url:
        yield url


@pytest.fixture(scope="module")
async def plane(
    dedicated_postgres: DedicatedPostgres,
    dedicated_redis: EmbeddedRedis,
    upstream_url: str,
    service_env: dict[str, str],
) -> AsyncIterator[Plane]:
    """The four services on the dedicated servers, a tenant, tokens, a connector, a source."""
    env = {
        **service_env,
        "DATABASE_URL": dedicated_postgres.url,
        "REDIS_URL": dedicated_redis.url,
        "ORCH_REDIS_NAMESPACE": f"frozen-{uuid.uuid4().hex[:8]}",
        "ORCH_LOG_LEVEL": "WARNING",
        # Today's crash recovery, quickened: a lost attempt's lease runs out, and the sweep
        # dispatches an overdue job again, within seconds.
        "ORCH_JOBS_LEASE_S": "3",
        "ORCH_JOBS_SWEEP_GRACE_S": "2",
        "ORCH_WORKER_RETENTION_INTERVAL_S": "1",
        "ORCH_WORKER_BROKER_HEARTBEAT_TIMEOUT_S": "2",
        "dramatiq_restart_delay": "500",
    }
    settings = CoreSettings.from_env(env)
    kek = KeyEncryptionKey(id=settings.crypto.kek_id, key=settings.crypto.kek_bytes())
    engines: list[AsyncEngine] = [
        create_engine(settings.db, owner=True),
        create_engine(settings.db),
    ]
    owner, app = session_factory(engines[0]), session_factory(engines[1])
    async with owner() as session, session.begin():
        await keys.ensure_active_key(session, kek)
    tenant = await new_tenant(app, kek)
    connector = await add_charge_connector(app, tenant.tenant_id, upstream_url, POLICY)
    services = {name: start_service(f"{name}-frozen", module, env) for name, module in SERVICES}
    try:
        await asyncio.gather(*(asyncio.to_thread(wait_ready, s) for s in services.values()))
        async with httpx.AsyncClient(timeout=10) as http:
            control = services["control-api"].url
            exec_token = await fetch_token(
                http, control, tenant.exec_client_id, tenant.exec_client_secret
            )
            control_token = await fetch_token(
                http, control, tenant.control_client_id, tenant.control_client_secret
            )
            source_id = await stripe_source(Api(http, control, control_token))
            first = await http.post(
                f"{services['exec-api'].url}/api/v1/jobs",
                json={"connector": connector, "operation": "charge", "payload": PAYLOAD},
                headers={"Authorization": f"Bearer {exec_token}"},
            )
            assert first.status_code == 202, first.text
        with redis.Redis.from_url(dedicated_redis.url, socket_timeout=5) as client:
            redis_pid = int(client.info("server")["process_id"])
        yield Plane(
            services=services,
            app=app,
            tenant=tenant,
            exec_token=exec_token,
            control_token=control_token,
            connector=connector,
            source_id=source_id,
            first_job=first.json()["id"],
            postgres=dedicated_postgres.freezer(),
            redis=Freezer(redis_pid),
        )
    finally:
        for service in services.values():
            service.kill() if service.module == "orchestrator.worker" else service.stop()
        for engine in engines:
            await engine.dispose()


Request = Callable[[httpx.AsyncClient, int], Awaitable[tuple[httpx.Response, str | None]]]


def requests_of(plane: Plane) -> dict[str, Request]:
    """One request of each kind the test sends, by kind; each returns its response and what
    a 2xx write created."""
    exec_headers = {"Authorization": f"Bearer {plane.exec_token}"}
    control_headers = {"Authorization": f"Bearer {plane.control_token}"}
    exec_url, control_url = plane.url("exec-api"), plane.url("control-api")
    job_ids = [plane.first_job]

    def job_body(n: int) -> dict[str, object]:
        return {
            "connector": plane.connector,
            "operation": "charge",
            "payload": {"id": f"o-{uuid.uuid4().hex[:8]}", "amount": n + 1},
        }

    async def submit_job(http: httpx.AsyncClient, n: int) -> tuple[httpx.Response, str | None]:
        response = await http.post(
            f"{exec_url}/api/v1/jobs", json=job_body(n), headers=exec_headers
        )
        created = response.json()["id"] if response.status_code == 202 else None
        if created:
            job_ids.append(created)
        return response, created

    async def read_job(http: httpx.AsyncClient, n: int) -> tuple[httpx.Response, str | None]:
        return await http.get(f"{exec_url}/api/v1/jobs/{job_ids[-1]}", headers=exec_headers), None

    async def execute(http: httpx.AsyncClient, n: int) -> tuple[httpx.Response, str | None]:
        url = f"{exec_url}/api/v1/execute"
        return await http.post(url, json=job_body(n), headers=exec_headers), None

    async def read_connectors(http: httpx.AsyncClient, n: int) -> tuple[httpx.Response, str | None]:
        return await http.get(f"{control_url}/api/v1/connectors", headers=control_headers), None

    async def write_secret_ref(
        http: httpx.AsyncClient, n: int
    ) -> tuple[httpx.Response, str | None]:
        name = f"ref-{uuid.uuid4().hex[:10]}"
        response = await http.post(
            f"{control_url}/api/v1/secret-refs",
            json={"name": name, "ref": "env://ORCH_TENANT_SECRET_UNUSED"},
            params={"reason": "frozen dependency test"},
            headers=control_headers,
        )
        return response, name if response.status_code == 201 else None

    async def deliver_webhook(http: httpx.AsyncClient, n: int) -> tuple[httpx.Response, str | None]:
        event_id = f"evt_{uuid.uuid4().hex}"
        body = stripe_event(event_id)
        response = await http.post(
            f"{plane.url('webhook-ingress')}/webhooks/{plane.source_id}",
            content=body,
            headers=stripe_headers(body),
        )
        return response, event_id if response.status_code == 200 else None

    def ready(name: str) -> Request:
        async def probe(http: httpx.AsyncClient, n: int) -> tuple[httpx.Response, str | None]:
            return await http.get(f"{plane.url(name)}/ready"), None

        return probe

    return {
        "jobs.submit": submit_job,
        "jobs.read": read_job,
        "execute": execute,
        "control.read": read_connectors,
        "control.write": write_secret_ref,
        "webhook": deliver_webhook,
        **{f"ready.{name}": ready(name) for name, _ in SERVICES},
    }


async def traffic(plane: Plane, freezer: Freezer) -> Outcome:
    """Requests of every kind, back to back (two loops each), before, while and after
    ``freezer`` holds its server frozen, until each kind succeeded again after the thaw."""
    outcome = Outcome()
    requests = requests_of(plane)
    stop = asyncio.Event()

    async def loop(kind: str, request: Request) -> None:
        # A client of its own per loop, so a request waiting for its answer holds no other.
        async with httpx.AsyncClient(timeout=BOUND_S * 3) as http:
            n = 0
            while not stop.is_set():
                started = time.monotonic()
                try:
                    response, created = await request(http, n)
                except httpx.HTTPError as exc:
                    outcome.answers.append(
                        Answer(kind, started, time.monotonic() - started, 0, body=repr(exc))
                    )
                    continue
                outcome.answers.append(
                    Answer(
                        kind,
                        started,
                        time.monotonic() - started,
                        response.status_code,
                        response.headers.get("content-type", ""),
                        response.headers.get("retry-after"),
                        response.text[:300],
                        created,
                    )
                )
                n += 1
                await asyncio.sleep(0.05)

    async def recovered() -> bool:
        return all(
            any(
                a.kind == kind and a.started >= outcome.thawed_at and 200 <= a.status < 300
                for a in outcome.answers
            )
            for kind in requests
        )

    loops = [
        asyncio.create_task(loop(kind, request))
        for kind, request in requests.items()
        for _ in range(2)
    ]
    try:
        await asyncio.sleep(WARM_S)
        outcome.frozen_at = time.monotonic()
        with freezer.frozen_for_a_while():
            await asyncio.sleep(FROZEN_S)
            outcome.thawed_at = time.monotonic()
        await until(recovered, timeout_s=RECOVERY_S + BOUND_S)  # checked by check_answers
    finally:
        stop.set()
        await asyncio.gather(*loops)
    outcome.answers = [a for a in outcome.answers if a.started >= outcome.frozen_at - IN_FLIGHT_S]
    return outcome


def check_answers(outcome: Outcome, needs_the_frozen_server: set[str]) -> None:
    """Every answer came within ``BOUND_S``, a success or a 503 problem with Retry-After; the
    kinds that need the frozen server got 503 while it was frozen; all recovered."""
    slow = [a for a in outcome.answers if a.elapsed_s > BOUND_S or a.status == 0]
    assert not slow, f"{len(slow)} answers over {BOUND_S}s or none at all, e.g. {slow[:3]}"
    refused = [a for a in outcome.answers if not 200 <= a.status < 300]
    wrong = [
        a
        for a in refused
        if a.status != 503
        or not a.content_type.startswith("application/problem+json")
        or not (a.retry_after or "").isdigit()
    ]
    assert not wrong, f"{len(wrong)} refusals not a 503 problem with Retry-After: {wrong[:3]}"
    frozen = [
        a
        for a in outcome.answers
        if a.started >= outcome.frozen_at + 0.2 and a.started + a.elapsed_s < outcome.thawed_at
    ]
    got_503 = {a.kind for a in frozen if a.status == 503}
    assert needs_the_frozen_server <= got_503, (
        f"no 503 while frozen for {needs_the_frozen_server - got_503}: the freeze did not bite"
    )
    late = {
        kind: min(
            (
                a.started + a.elapsed_s - outcome.thawed_at
                for a in outcome.answers
                if a.kind == kind and a.started >= outcome.thawed_at and a.status < 300
            ),
            default=None,
        )
        for kind in {a.kind for a in outcome.answers}
    }
    stuck = {k: v for k, v in late.items() if v is None or v > RECOVERY_S}
    assert not stuck, f"not serving again within {RECOVERY_S}s of the thaw: {stuck}"
    slowest = max(a.elapsed_s for a in outcome.answers)
    statuses = Counter((a.kind, a.status) for a in outcome.answers)
    print(  # noqa: T201  (the figures the report quotes; shown with -s)
        f"\n{len(outcome.answers)} answers, slowest {slowest:.2f}s, recovered after "
        f"{max(v for v in late.values() if v is not None):.2f}s; {dict(sorted(statuses.items()))}"
    )


async def check_nothing_accepted_is_lost(plane: Plane, outcome: Outcome) -> None:
    """Every job answered 202 exists and runs; no job is left half-written (stuck); every
    delivery answered 200 and every secret ref answered 201 is stored."""
    accepted = {uuid.UUID(job_id) for job_id in outcome.created("jobs.submit")}
    assert accepted, "no job was accepted at all: nothing tested"
    tenant_id = plane.tenant.tenant_id
    async with tenant_transaction(plane.app, tenant_id) as session:
        stored = set((await session.scalars(select(Job.id).where(Job.id.in_(accepted)))).all())
    assert stored == accepted, f"{len(accepted - stored)} accepted jobs are missing"

    async def all_ran() -> bool:
        counts = await status_counts(plane.app, tenant_id)
        return counts["queued"] + counts["running"] == 0

    assert await until(all_ran, timeout_s=30, every_s=0.25), await status_counts(
        plane.app, tenant_id
    )
    counts = await status_counts(plane.app, tenant_id)
    assert set(counts) == {"succeeded"}, counts

    events = outcome.created("webhook")
    async with tenant_transaction(plane.app, tenant_id) as session:
        inbox = await session.scalar(
            select(func.count())
            .select_from(WebhookInboxEntry)
            .where(WebhookInboxEntry.dedupe_id.in_(events))
        )
    assert inbox == len(events), f"{len(events) - (inbox or 0)} accepted deliveries missing"

    async with httpx.AsyncClient(timeout=10) as http:
        headers = {"Authorization": f"Bearer {plane.control_token}"}
        for name in outcome.created("control.write"):
            response = await http.get(
                f"{plane.url('control-api')}/api/v1/secret-refs/{name}", headers=headers
            )
            assert response.status_code == 200, (name, response.text)


DATABASE_KINDS = {
    "jobs.submit",
    "jobs.read",
    "control.read",
    "control.write",
    "webhook",
    *(f"ready.{name}" for name, _ in SERVICES),
}


async def test_a_frozen_postgres_gives_fast_503s_and_loses_nothing_accepted(
    plane: Plane,
) -> None:
    outcome = await traffic(plane, plane.postgres)
    check_answers(outcome, DATABASE_KINDS)
    await check_nothing_accepted_is_lost(plane, outcome)


async def test_a_frozen_redis_gives_fast_503s_and_loses_nothing_accepted(
    plane: Plane,
) -> None:
    outcome = await traffic(plane, plane.redis)
    # Only readiness needs Redis here: the connector's policy keeps no shared state, the
    # tokens' keys and denylist are in memory, and jobs reach the broker through the outbox.
    check_answers(outcome, {f"ready.{name}" for name, _ in SERVICES})
    await check_nothing_accepted_is_lost(plane, outcome)
