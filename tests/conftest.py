"""Session fixtures: real PostgreSQL and Redis, a migrated database, and the running services."""

from __future__ import annotations

import base64
import logging
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orchestrator.cli.infra import Infra, ensure_infra
from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.events.cursor import configure_cursors
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support import databases
from tests.support.control_api import platform_credentials
from tests.support.factories import new_tenant
from tests.support.s3 import S3Server, running_s3
from tests.support.stack import Stack, start_service, wait_ready
from tests.support.upstream import UpstreamServer, running_upstream

SERVICES = (
    ("control-api", "orchestrator.control_api"),
    ("exec-api", "orchestrator.exec_api"),
    ("webhook-ingress", "orchestrator.webhook_ingress"),
    ("worker", "orchestrator.worker"),
)
TENANT_SECRET_VARIABLE = "ORCH_TENANT_SECRET_TEST_TOKEN"
TENANT_SECRET_VALUE = "tenant-secret-from-the-deployment"


# pgserver logs its embedded servers' teardown at INFO from a thread of its own, after
# pytest has closed the streams it captures into: "--- Logging error ---" noise in CI.
logging.getLogger("pgserver").setLevel(logging.WARNING)

SLOW_FIRST = (
    "tests/contract/test_control_api_configuration_contract.py",
    "tests/contract/test_control_api_access_contract.py",
    "tests/integration/test_runbooks.py",
    "tests/contract/test_openapi_contract.py",
    "tests/integration/test_job_durability.py",
    "tests/integration/test_readme.py",
    "tests/integration/test_frozen_dependencies.py",
    "tests/clients/test_clients.py",
)
"""Files of a minute or more, run first: ``make test`` hands whole files to its parallel
sessions in collection order (ADR 0082), and a long file begun last would end alone."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the files of ``SLOW_FIRST`` to the front, in that order; the rest keep theirs."""
    rank = {path: index for index, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def libpq(url: str) -> str:
    """A URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """PostgreSQL and Redis from DATABASE_URL/REDIS_URL, or embedded ones."""
    with ensure_infra(Path(".data/test-infra"), os.environ) as infra:
        yield infra


@pytest.fixture(scope="session")
def migrated_template(infra: Infra) -> Iterator[str]:
    """A database migrated to head once a session, that test databases are copies of."""
    url = databases.migrated_template(infra.database_url)
    yield url
    databases.drop_database(infra.database_url, url)


@pytest.fixture(scope="session")
def database_url(infra: Infra, migrated_template: str) -> Iterator[str]:
    """A fresh database for this session, migrated to head, dropped afterwards."""
    url = databases.copy_of(infra.database_url, migrated_template, "orch_test")
    yield url
    databases.drop_database(infra.database_url, url)


@pytest.fixture(scope="session")
def service_env(infra: Infra, database_url: str) -> dict[str, str]:
    """The environment every service of this session runs with."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": infra.redis_url,
        "ORCH_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ORCH_KEK_ID": "test-kek",
        "ORCH_REDIS_NAMESPACE": f"orch-test-{uuid.uuid4().hex[:8]}",
        "ORCH_ENVIRONMENT": "dev",
        "ORCH_AUTH_LEEWAY_S": "5",
        "ORCH_MAX_BODY_BYTES": "65536",
        "ORCH_LOG_LEVEL": "INFO",
        "ORCH_UPSTREAM_ALLOW_LOOPBACK": "true",
        # Each scrape reads the queue depths afresh, so a test sees what it just wrote.
        "ORCH_WORKER_DEPTH_INTERVAL_S": "0",
        # Every test authenticates from 127.0.0.1 and the contract suite fuzzes the token
        # endpoint with bad credentials: one address's cap would refuse later tests.
        # tests/integration/test_abuse_limits.py tests that cap on the throttle itself.
        "ORCH_AUTH_FAILURES_PER_ADDRESS": "1000000",
        # A tenant secret the deployment provides: env:// refs may read only ORCH_TENANT_SECRET_*.
        TENANT_SECRET_VARIABLE: TENANT_SECRET_VALUE,
    }


@pytest.fixture(scope="session")
def settings(service_env: dict[str, str]) -> CoreSettings:
    """The same settings the services read."""
    return CoreSettings.from_env(service_env)


@pytest.fixture(scope="session")
def event_cursors(settings: CoreSettings) -> None:
    """Event ids as the exec-api of this session seals them (tests read them back)."""
    configure_cursors(settings.crypto)


@pytest.fixture(scope="session")
def kek(settings: CoreSettings) -> KeyEncryptionKey:
    """The session's key-encryption key."""
    return KeyEncryptionKey(id=settings.crypto.kek_id, key=settings.crypto.kek_bytes())


@pytest.fixture(scope="session")
async def owner_engine(settings: CoreSettings) -> AsyncIterator[AsyncEngine]:
    """An engine of the role that owns the schema (for set-up and inspection only)."""
    engine = create_engine(settings.db, owner=True)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def owner_sessions(owner_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Owner-role sessions."""
    return session_factory(owner_engine)


@pytest.fixture(scope="session")
async def app_engine(settings: CoreSettings) -> AsyncIterator[AsyncEngine]:
    """An engine of the runtime role, as the services use."""
    engine = create_engine(settings.db)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def app_sessions(app_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Runtime-role sessions."""
    return session_factory(app_engine)


@pytest.fixture(scope="session")
async def signing_key(
    owner_sessions: async_sessionmaker[AsyncSession], kek: KeyEncryptionKey
) -> str:
    """The first signing key, created as ``orchestrator migrate`` does."""
    async with owner_sessions() as session, session.begin():
        key = await keys.ensure_active_key(session, kek)
    return key.kid


@pytest.fixture(scope="session")
def stack(service_env: dict[str, str], signing_key: str) -> Iterator[Stack]:
    """All four services, each a real process on a free loopback port."""
    running = Stack()
    try:
        for name, module in SERVICES:
            running.services[name] = start_service(name, module, service_env)
        for service in running.services.values():
            wait_ready(service)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def platform_operator(service_env: dict[str, str]) -> tuple[str, str]:
    """A platform operator's client id and secret, made once a session by the CLI as
    operators do. Tests only sign in with it (each to a token of its own); the tests of the
    CLI itself and of re-issued secrets make operators of their own."""
    return platform_credentials(service_env)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for talking to the stack."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def tenant(
    app_sessions: async_sessionmaker[AsyncSession], kek: KeyEncryptionKey
) -> BootstrapResult:
    """A fresh tenant (organization, workspace, identities)."""
    return await new_tenant(app_sessions, kek)


@pytest.fixture
async def other_tenant(
    app_sessions: async_sessionmaker[AsyncSession], kek: KeyEncryptionKey
) -> BootstrapResult:
    """A second tenant, in another organization."""
    return await new_tenant(app_sessions, kek)


@pytest.fixture(scope="session")
def upstream_server() -> Iterator[UpstreamServer]:
    """The controllable loopback upstream (its own thread and loop), for the whole session."""
    with running_upstream() as server:
        yield server


@pytest.fixture
def upstream(upstream_server: UpstreamServer) -> UpstreamServer:
    """The loopback upstream with behaviours, counters and recordings reset for this test."""
    upstream_server.reset()
    return upstream_server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3-compatible server on loopback (moto's server mode, ADR 0085), started
    the first time a test of the session asks for it; tests each make a bucket of their own."""
    with running_s3() as server:
        yield server
