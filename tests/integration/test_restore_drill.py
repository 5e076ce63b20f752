"""The restore drill (docs/backups.md): a filled deployment backed up with ``orchestrator
backup`` to a real S3-compatible server, restored with ``orchestrator restore`` into a
fresh database, and a stack started on the restored database serving the same data, to
the same tokens, with every tenant still walled off from the others."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.cli.infra import Infra
from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support import bulk, databases
from tests.support.cli import Cli
from tests.support.control_api import Api
from tests.support.factories import fetch_token, new_tenant
from tests.support.jobs import add_connector
from tests.support.s3 import S3Server
from tests.support.stack import Service, start_service, wait_ready
from tests.support.webhooks import stripe_source

pytestmark = pytest.mark.integration

SMALL = bulk.Bulk(jobs=40, queued=10, dead=5, attempts=20, inbox=12, audit=15, events=30)
TENANT_TABLES = ("jobs", "job_runs", "webhook_inbox", "audit_log", "event_log", "connectors")
# Every table with a tenant_id column, and whether its row-level security is on and forced.
RLS_CATALOG = """
    SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
"""


@dataclass
class Deployment:
    """One database with sessions as the owner and as the runtime role."""

    url: str
    settings: CoreSettings
    owner: async_sessionmaker[AsyncSession]
    app: async_sessionmaker[AsyncSession]


@dataclass
class Tenant:
    """A tenant of the drill: its identities and the tokens minted before the backup."""

    bootstrap: BootstrapResult
    operator_token: str = ""
    exec_token: str = ""
    job_ids: tuple[str, ...] = ()


@pytest.fixture
def source_url(infra: Infra, migrated_template: str) -> Iterator[str]:
    """The deployment's database, migrated to head."""
    url = databases.copy_of(infra.database_url, migrated_template, "orch_drill")
    yield url
    databases.drop_database(infra.database_url, url)


@pytest.fixture
def restored_url(infra: Infra) -> Iterator[str]:
    """A freshly created, empty database: nothing migrated, nothing granted."""
    url = databases.create_database(infra.database_url, "orch_restored")
    yield url
    databases.drop_database(infra.database_url, url)


@pytest.fixture
async def source(source_url: str, service_env: dict[str, str]) -> AsyncIterator[Deployment]:
    """Sessions on the deployment's database."""
    settings = CoreSettings.from_env({**service_env, "DATABASE_URL": source_url})
    owner, app = create_engine(settings.db, owner=True), create_engine(settings.db)
    yield Deployment(source_url, settings, session_factory(owner), session_factory(app))
    await owner.dispose()
    await app.dispose()


def services_on(url: str, service_env: dict[str, str]) -> dict[str, Service]:
    """control-api and exec-api on the database at ``url``, each with a Redis namespace of
    its own (nothing cached in Redis carries over), ready."""
    env = {**service_env, "DATABASE_URL": url, "ORCH_REDIS_NAMESPACE": f"drill-{uuid.uuid4().hex}"}
    started = {
        "control-api": start_service("control-api", "orchestrator.control_api", env),
        "exec-api": start_service("exec-api", "orchestrator.exec_api", env),
    }
    try:
        for service in started.values():
            wait_ready(service)
    except Exception:
        for service in started.values():
            service.stop()
        raise
    return started


async def events(http: httpx.AsyncClient, exec_url: str, token: str) -> list[dict[str, Any]]:
    """Every event of the token's workspace, oldest first, following ``next_cursor``."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 1000}
    while True:
        page = await http.get(
            f"{exec_url}/api/v1/events", params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        if not items:
            return found
        found += items
        params["after"] = page.json()["next_cursor"]


async def served(
    http: httpx.AsyncClient, services: dict[str, Service], tenant: Tenant
) -> dict[str, Any]:
    """What the stack serves the tenant's pre-backup tokens: its jobs, events, inbox,
    audit records and webhook sources."""
    control = Api(http, services["control-api"].url, tenant.operator_token)
    exec_plane = Api(http, services["exec-api"].url, tenant.exec_token)
    workspace = await control.call("GET", f"/workspaces/{tenant.bootstrap.tenant_id}")
    assert workspace.status_code == 200, workspace.text
    workspace = await control.call("GET", f"/workspaces/{tenant.bootstrap.tenant_id}")
    assert workspace.status_code == 200, workspace.text
    return {
        "jobs": await exec_plane.every("/jobs", limit=500),
        "events": await events(http, services["exec-api"].url, tenant.exec_token),
        "inbox": await control.every("/webhooks/inbox"),
        "audit": await control.every("/audit"),
        "sources": await control.every("/webhooks/sources"),
        "workspace": workspace.json(),
    }


async def fill(
    http: httpx.AsyncClient, deployment: Deployment, services: dict[str, Service], tenant: Tenant
) -> None:
    """A source (a sealed signing secret, audited), jobs queued over the API, and the bulk of
    a busy workspace: runs, inbox deliveries, audit records and events."""
    control_url, exec_url = services["control-api"].url, services["exec-api"].url
    made = tenant.bootstrap
    tenant.operator_token = await fetch_token(
        http, control_url, made.control_client_id, made.control_client_secret
    )
    tenant.exec_token = await fetch_token(
        http, control_url, made.exec_client_id, made.exec_client_secret
    )
    source_id = await stripe_source(Api(http, control_url, tenant.operator_token))
    connector = await add_connector(deployment.app, made.tenant_id)
    job_ids = []
    for n in range(3):
        queued = await http.post(
            f"{exec_url}/api/v1/jobs",
            json={
                "connector": connector,
                "operation": "get",
                "payload": {"n": n},
                "delay_ms": 3_600_000,
            },
            headers={"Authorization": f"Bearer {tenant.exec_token}"},
        )
        assert queued.status_code == 202, queued.text
        job_ids.append(str(queued.json()["id"]))
    tenant.job_ids = tuple(job_ids)
    await bulk.seed(deployment.owner, made.tenant_id, source_id, SMALL)


async def tenant_rows(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> dict[str, set[str]]:
    """The tenant ids of every row each tenant table shows in the tenant's transaction."""
    seen: dict[str, set[str]] = {}
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        for table in TENANT_TABLES:
            rows = await session.execute(text(f"SELECT DISTINCT tenant_id::text FROM {table}"))
            seen[table] = {row[0] for row in rows}
    return seen


async def test_a_restored_backup_serves_the_same_data_to_the_same_tokens_behind_rls(
    infra: Infra,
    service_env: dict[str, str],
    kek: KeyEncryptionKey,
    source: Deployment,
    restored_url: str,
    s3_server: S3Server,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    async with source.owner() as session, session.begin():
        kid = (await keys.ensure_active_key(session, kek)).kid
    tenants = [Tenant(await new_tenant(source.app, kek)) for _ in range(2)]
    original = services_on(source.url, service_env)
    try:
        for tenant in tenants:
            await fill(http, source, original, tenant)
        before = [await served(http, original, tenant) for tenant in tenants]
    finally:
        for service in original.values():
            service.stop()
    for was in before:
        assert len(was["jobs"]) == SMALL.jobs + 3
        assert len(was["inbox"]) == SMALL.inbox
        assert len(was["audit"]) > SMALL.audit  # the bulk's and the source's own
        assert len(was["events"]) >= SMALL.events
        assert len(was["sources"]) == 1

    bucket = s3_server.new_bucket("orch-backups")
    env = {
        **s3_server.environ(),
        "DATABASE_URL": source.url,
        "ORCH_ENVIRONMENT": "dev",
        "ORCH_BACKUP_BUCKET": bucket,
        "ORCH_BACKUP_SSE": "AES256",
    }
    cli = Cli(config=tmp_path / "config", cwd=tmp_path)
    backed_up = cli.ok("backup", **env)
    key = backed_up.split(f"s3://{bucket}/")[1].split()[0]
    assert key.startswith("dev/orchestrator-")
    stored = s3_server.client().head_object(Bucket=bucket, Key=key)
    assert stored["ServerSideEncryption"] == "AES256"
    assert stored["Metadata"]["sha256"] in backed_up

    # The deployment's own database is not empty: restoring over it is refused.
    assert "is not empty" in refused(cli, "restore", "--target-url", source.url, env=env)
    restored = cli.ok("restore", "--target-url", restored_url, **env)  # the latest
    assert f"s3://{bucket}/{key}" in restored

    again = services_on(restored_url, service_env)
    try:
        after = [await served(http, again, tenant) for tenant in tenants]
        assert after == before
        a, b = tenants
        # A's tokens reach none of B's jobs, and B's none of A's.
        for reader, owner in ((a, b), (b, a)):
            for job_id in owner.job_ids:
                other = await http.get(
                    f"{again['exec-api'].url}/api/v1/jobs/{job_id}",
                    headers={"Authorization": f"Bearer {reader.exec_token}"},
                )
                assert other.status_code == 404, other.text
        # The restored signing keys still sign: a new token for a stored client secret.
        token = await fetch_token(
            http,
            again["control-api"].url,
            a.bootstrap.exec_client_id,
            a.bootstrap.exec_client_secret,
        )
        jwks = (await http.get(f"{again['control-api'].url}/.well-known/jwks.json")).json()
        assert kid in {key["kid"] for key in jwks["keys"]}
        assert token
    finally:
        for service in again.values():
            service.stop()

    settings = CoreSettings.from_env({**service_env, "DATABASE_URL": restored_url})
    owner_engine, app_engine = create_engine(settings.db, owner=True), create_engine(settings.db)
    try:
        async with source.owner() as session:
            catalog_before = (await session.execute(text(RLS_CATALOG))).all()
        async with session_factory(owner_engine)() as session:
            catalog_after = (await session.execute(text(RLS_CATALOG))).all()
        assert catalog_after == catalog_before
        assert all(enabled and forced for _, enabled, forced in catalog_after)
        # As the runtime role, each tenant's transaction sees its own rows and no other's.
        for tenant in tenants:
            seen = await tenant_rows(session_factory(app_engine), tenant.bootstrap.tenant_id)
            assert seen == {table: {str(tenant.bootstrap.tenant_id)} for table in TENANT_TABLES}
    finally:
        await owner_engine.dispose()
        await app_engine.dispose()

    secrets = [
        s3_server.secret_access_key,
        service_env["ORCH_KEK"],
        *(t.bootstrap.control_client_secret for t in tenants),
        *(t.bootstrap.exec_client_secret for t in tenants),
    ]
    for output in cli.outputs:
        for secret in secrets:
            assert secret not in output


def refused(cli: Cli, *args: str, env: dict[str, str]) -> str:
    """The one line a command that must fail (status 1) printed."""
    done = cli(*args, **env)
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_what_stops_a_backup_or_restore_is_one_line_without_a_secret(
    source_url: str, restored_url: str, s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.new_bucket("orch-empty")
    env = {**s3_server.environ(), "DATABASE_URL": source_url, "ORCH_ENVIRONMENT": "prod"}
    ours = env | {"ORCH_BACKUP_BUCKET": bucket}
    cli = Cli(config=tmp_path / "config", cwd=tmp_path)
    target = ["--target-url", restored_url]
    told = {
        "no bucket set": refused(cli, "backup", env=env),
        "no such bucket": refused(cli, "backup", env=env | {"ORCH_BACKUP_BUCKET": "orch-nobucket"}),
        "nothing to restore": refused(cli, "restore", *target, env=ours),
        "no such backup": refused(cli, "restore", "nope.dump", *target, env=ours),
        "store not answering": refused(
            cli,
            "backup",
            env=ours | {"ORCH_BACKUP_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"},
        ),
    }
    assert "ORCH_BACKUP_BUCKET is not set" in told["no bucket set"]
    assert "NoSuchBucket" in told["no such bucket"]
    assert f"no backup under s3://{bucket}/prod/" in told["nothing to restore"]
    assert f"no backup prod/nope.dump in s3://{bucket}" in told["no such backup"]
    assert "127.0.0.1:9" in told["store not answering"]
    for line in told.values():
        assert line.startswith("orchestrator: ")
    for output in cli.outputs:
        assert s3_server.secret_access_key not in output
