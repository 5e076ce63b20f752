"""Fixtures of the payload store's tests, loaded with ``pytest_plugins`` (never imported).

Each module runs its services on a database of its own with a payload store configured
(moto's server, ADR 0085): the session's stack has none, and its worker must not route,
or run, what these tests write.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from orchestrator.cli.infra import Infra
from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.payloads.process import configure_payloads
from orchestrator.core.payloads.store import PayloadStore
from orchestrator.core.settings import CoreSettings
from tests.support import databases
from tests.support.control_api import operator_api
from tests.support.factories import new_tenant
from tests.support.payloads import MAX_BODY, PREFIX, THRESHOLD, Deployment, Workspace
from tests.support.s3 import S3Server
from tests.support.stack import Stack, start_service, wait_ready
from tests.support.webhooks import stripe_source


@pytest.fixture(scope="module")
def payload_db(infra: Infra, migrated_template: str) -> Iterator[str]:
    """The module's own database, migrated to head."""
    url = databases.copy_of(infra.database_url, migrated_template, "orch_payload")
    yield url
    databases.drop_database(infra.database_url, url)


@pytest.fixture(scope="module")
def payload_env(
    service_env: dict[str, str], payload_db: str, s3_server: S3Server
) -> dict[str, str]:
    """The services' environment: a bucket of their own, a low threshold."""
    return {
        **service_env,
        **s3_server.environ(),
        "DATABASE_URL": payload_db,
        "ORCH_REDIS_NAMESPACE": f"payload-{uuid.uuid4().hex[:8]}",
        "ORCH_PAYLOAD_BUCKET": s3_server.new_bucket("orch-payload"),
        "ORCH_PAYLOAD_ENDPOINT_URL": s3_server.endpoint_url,
        "ORCH_PAYLOAD_PREFIX": PREFIX,
        "ORCH_PAYLOAD_THRESHOLD_BYTES": str(THRESHOLD),
        "ORCH_MAX_BODY_BYTES": str(MAX_BODY),
    }


@pytest.fixture(scope="module")
async def deployment(
    payload_env: dict[str, str], kek: KeyEncryptionKey
) -> AsyncIterator[Deployment]:
    """Sessions on the module's database, and its services, with the payload store."""
    settings = CoreSettings.from_env(payload_env)
    owner_engine, app_engine = create_engine(settings.db, owner=True), create_engine(settings.db)
    owner, app = session_factory(owner_engine), session_factory(app_engine)
    async with owner() as session, session.begin():
        await keys.ensure_active_key(session, kek)
    stack = Stack()
    try:
        for name, module in (
            ("control-api", "orchestrator.control_api"),
            ("exec-api", "orchestrator.exec_api"),
            ("webhook-ingress", "orchestrator.webhook_ingress"),
            ("worker", "orchestrator.worker"),
        ):
            stack.services[name] = start_service(name, module, payload_env)
        for service in stack.services.values():
            wait_ready(service)
        yield Deployment(payload_env, payload_env["ORCH_PAYLOAD_BUCKET"], owner, app, stack)
    finally:
        stack.stop()
        await owner_engine.dispose()
        await app_engine.dispose()


@pytest.fixture
async def workspace(
    deployment: Deployment, http: httpx.AsyncClient, kek: KeyEncryptionKey
) -> Workspace:
    """A fresh tenant, its operator, and a Stripe source taking bodies up to 6 MiB."""
    tenant = await new_tenant(deployment.app, kek)
    api = await operator_api(http, deployment.stack, tenant)
    source_id = await stripe_source(api, max_body_bytes=6 * 1024 * 1024)
    return Workspace(tenant, api, source_id)


@pytest.fixture
def local_store(
    deployment: Deployment, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PayloadStore]:
    """This process's payload store, as the services have it (for retention run here and
    for writing forged objects); none again after the test."""
    for name, value in s3_server.environ().items():
        monkeypatch.setenv(name, value)
    store = configure_payloads(CoreSettings.from_env(deployment.env))
    assert store is not None
    yield store
    configure_payloads(CoreSettings.from_env({**deployment.env, "ORCH_PAYLOAD_BUCKET": ""}))
