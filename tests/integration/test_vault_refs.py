"""``vault://path#field`` refs read Vault KV v2 under the workspace's own prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import SecretUnresolved
from orchestrator.core.secrets.resolve import resolve_secrets
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import operator_api
from tests.support.execution import caller, http_connector
from tests.support.factories import new_tenant
from tests.support.stack import Stack, start_service, wait_ready
from tests.support.upstream import UpstreamServer
from tests.support.vault import VaultServer, running_vault

pytestmark = pytest.mark.integration


@pytest.fixture
def vault() -> Iterator[VaultServer]:
    with running_vault() as server:
        yield server


async def resolve(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    kek: KeyEncryptionKey,
    names: list[str],
    environ: Mapping[str, str],
) -> dict[str, str]:
    async with tenant_transaction(sessions, tenant_id) as session:
        return await resolve_secrets(session, kek, names, environ=environ)


async def refs(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, **by_name: str
) -> None:
    api = await operator_api(http, stack, tenant)
    for name, ref in by_name.items():
        made = await api.write("POST", "/secret-refs", {"name": name, "ref": ref})
        assert made.status_code == 201, made.text


async def test_a_workspace_reads_only_under_its_own_prefix(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    vault: VaultServer,
) -> None:
    other = await new_tenant(app_sessions, kek)
    vault.put(f"orchestrator/{tenant.tenant_id}/payments", {"api_key": "mine", "port": 8443})
    vault.put(f"orchestrator/{other.tenant_id}/payments", {"api_key": "theirs"})
    await refs(http, stack, tenant, key="vault://payments#api_key", port="vault://payments#port")
    await refs(http, stack, other, key="vault://payments#api_key")

    values = await resolve(app_sessions, tenant.tenant_id, kek, ["key", "port"], vault.environ())
    assert values == {"key": "mine", "port": "8443"}
    assert vault.reads == [f"/v1/secret/data/orchestrator/{tenant.tenant_id}/payments"]  # once
    theirs = await resolve(app_sessions, other.tenant_id, kek, ["key"], vault.environ())
    assert theirs == {"key": "theirs"}

    # A custom mount and prefix.
    vault.put(f"teams/{tenant.tenant_id}/payments", {"api_key": "kv"}, mount="kv")
    custom = vault.environ(ORCH_VAULT_MOUNT="kv", ORCH_VAULT_PATH_PREFIX="teams/{tenant_id}")
    assert await resolve(app_sessions, tenant.tenant_id, kek, ["key"], custom) == {"key": "kv"}


async def test_a_path_cannot_climb_out_of_the_prefix(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    for ref in ("vault://../other/payments#k", "vault://a/./b#k", "vault://a//b#k"):
        refused = await api.write("POST", "/secret-refs", {"name": "climb", "ref": ref})
        assert refused.status_code in (400, 422), (ref, refused.text)


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ("no-field", "has no field `api_key`"),
        ("no-secret", "Vault has no secret at `payments`"),
        ("bad-token", "(HTTP 403)"),
        ("down", "Vault did not answer for `payments`"),
        ("unconfigured", "ORCH_VAULT_ADDR is not set"),
    ],
)
async def test_every_vault_failure_is_a_clear_409(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    vault: VaultServer,
    setup: str,
    fragment: str,
) -> None:
    await refs(http, stack, tenant, key="vault://payments#api_key")
    if setup != "no-secret":
        vault.put(f"orchestrator/{tenant.tenant_id}/payments", {"other": "x-secret-value"})
    environ = {
        "no-field": vault.environ(),
        "no-secret": vault.environ(),
        "bad-token": vault.environ(ORCH_VAULT_TOKEN="wrong"),
        "down": vault.environ(ORCH_VAULT_ADDR="http://127.0.0.1:9", ORCH_VAULT_TIMEOUT_S="2"),
        "unconfigured": {},
    }[setup]
    with pytest.raises(SecretUnresolved) as caught:
        await resolve(app_sessions, tenant.tenant_id, kek, ["key"], environ)
    assert caught.value.status == 409
    assert fragment in caught.value.detail
    assert "x-secret-value" not in caught.value.detail  # never a value


async def test_execute_calls_the_upstream_with_a_vault_secret(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    service_env: dict[str, str],
    vault: VaultServer,
    upstream: UpstreamServer,
) -> None:
    vault.put(f"orchestrator/{tenant.tenant_id}/upstream", {"token": "from-vault-123"})
    exec_api = start_service(
        "exec-api-vault", "orchestrator.exec_api", {**service_env, **vault.environ()}
    )
    try:
        wait_ready(exec_api)
        client = await caller(http, stack, tenant)
        client.exec_url = exec_api.url
        await refs(http, stack, tenant, bearer="vault://upstream#token")
        config = {**http_connector(upstream), "auth": {"type": "bearer", "secret": "token"}}
        made = await client.operator.write(
            "POST",
            "/connectors",
            {"name": "vaulted", "type": "http", "config": config, "secrets": {"token": "bearer"}},
        )
        assert made.status_code == 201, made.text
        called = await client.execute("vaulted", {"id": "o-1", "amount": 5})
        assert called.status_code == 200, called.text
        [request] = upstream.requests("/charges/o-1")
        assert request.headers["authorization"] == "Bearer from-vault-123"
    finally:
        exec_api.stop()
