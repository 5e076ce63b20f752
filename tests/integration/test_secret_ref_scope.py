"""A workspace's secret refs reach only what the deployment lets tenants reach.

The finding: ``env://NAME`` read any variable of the exec-api, so an organization's admin
could send ``ORCH_KEK`` or ``DATABASE_URL`` to an upstream of their choosing. Each test
goes through the public APIs of the running services, and through rows written behind
the API's back (as a row stored before the rule would be).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration import secret_refs
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import SecretUnresolved, ValidationFailed
from orchestrator.core.models import SecretRef
from orchestrator.core.secrets.resolve import resolve_secrets
from orchestrator.core.secrets.scope import RefScope
from orchestrator.core.tenancy.service import BootstrapResult
from tests.conftest import TENANT_SECRET_VALUE, TENANT_SECRET_VARIABLE
from tests.support.control_api import Api, operator_api
from tests.support.execution import caller, http_connector
from tests.support.factories import new_tenant
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer
from tests.support.vault import VaultServer, running_vault
from tests.support.webhooks import new_source, stripe_event, stripe_headers

pytestmark = pytest.mark.integration

Sessions = async_sessionmaker[AsyncSession]
DEPLOYMENT_VARIABLES = ["ORCH_KEK", "DATABASE_URL", "REDIS_URL", "ORCH_REDIS_NAMESPACE"]


def deployment_values(service_env: dict[str, str]) -> list[str]:
    """The values of the deployment's own variables, none of which may ever leave it."""
    return [service_env[name] for name in DEPLOYMENT_VARIABLES]


async def stored_behind_the_api(
    sessions: Sessions, tenant_id: uuid.UUID, name: str, ref: str
) -> None:
    """A secret ref row written straight to the table, as one stored before the rule."""
    async with tenant_transaction(sessions, tenant_id) as session:
        session.add(SecretRef(id=uuid.uuid4(), tenant_id=tenant_id, name=name, ref=ref, version=1))


async def bearer_connector(api: Api, upstream: UpstreamServer, name: str, ref_name: str) -> None:
    """A connector sending ``Authorization: Bearer <the secret ref's value>``."""
    config = {**http_connector(upstream), "auth": {"type": "bearer", "secret": "token"}}
    body = {"name": name, "type": "http", "config": config, "secrets": {"token": ref_name}}
    made = await api.write("POST", "/connectors", body)
    assert made.status_code == 201, made.text


def assert_refused(response: httpx.Response, key: str, name: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "validation-failed"
    [error] = [e for e in problem["errors"] if e["key"] == key]
    assert "ORCH_TENANT_SECRET_<NAME>" in error["message"]
    assert f"`{name}` is not one" in error["message"]


@pytest.mark.parametrize("name", [*DEPLOYMENT_VARIABLES, "PATH", "ORCH_TENANT_SECRET_"])
async def test_a_ref_to_the_deployments_own_environment_is_refused_when_written(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    service_env: dict[str, str],
    name: str,
) -> None:
    api = await operator_api(http, stack, tenant)
    created = await api.write("POST", "/secret-refs", {"name": "psp-key", "ref": f"env://{name}"})
    assert_refused(created, "/ref", name)
    assert created.json()["detail"].startswith(
        "The secret ref is not valid: env:// may read only variables named "
        "`ORCH_TENANT_SECRET_<NAME>` in this deployment"
    )

    allowed = {"name": "psp-key", "ref": f"env://{TENANT_SECRET_VARIABLE}"}
    assert (await api.write("POST", "/secret-refs", allowed)).status_code == 201
    replaced = await api.write("PUT", "/secret-refs/psp-key", {"ref": f"env://{name}"})
    assert_refused(replaced, "/ref", name)
    kept = await api.call("GET", "/secret-refs/psp-key")
    assert (kept.json()["ref"], kept.json()["version"]) == (allowed["ref"], 1)

    bundle = {"secret_refs": [{"name": "imported", "ref": f"env://{name}"}]}
    for dry_run in ("true", "false"):
        imported = await api.write("POST", "/bundles/import", bundle, dry_run=dry_run)
        assert_refused(imported, "/secret_refs/0/ref", name)
    assert (await api.call("GET", "/secret-refs/imported")).status_code == 404

    for response in (created, replaced, imported):
        for value in deployment_values(service_env):
            assert value not in response.text


async def test_a_stored_ref_to_the_kek_is_refused_at_execute_and_nothing_reaches_the_upstream(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: Sessions,
    service_env: dict[str, str],
    upstream: UpstreamServer,
) -> None:
    client = await caller(http, stack, tenant)
    # The permitted form reaches the upstream: the set-up would see a leak.
    ok = {"name": "tenant-token", "ref": f"env://{TENANT_SECRET_VARIABLE}"}
    assert (await client.operator.write("POST", "/secret-refs", ok)).status_code == 201
    await bearer_connector(client.operator, upstream, "allowed", "tenant-token")
    called = await client.execute("allowed")
    assert called.status_code == 200, called.text
    [request] = upstream.requests("/charges/o-1")
    assert request.headers["authorization"] == f"Bearer {TENANT_SECRET_VALUE}"
    upstream.reset()

    # The finding: a connector whose auth header reads the exec-api's own KEK.
    kek_ref = {"name": "kek", "ref": "env://ORCH_KEK"}
    assert_refused(await client.operator.write("POST", "/secret-refs", kek_ref), "/ref", "ORCH_KEK")
    await stored_behind_the_api(app_sessions, tenant.tenant_id, "kek", "env://ORCH_KEK")
    await bearer_connector(client.operator, upstream, "leaky", "kek")
    listed = await client.operator.call("GET", "/secret-refs")
    assert listed.status_code == 200, listed.text  # a stored bad ref is listed, not a 500

    refused = await client.execute("leaky")
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["code"], problem["ref"]) == ("secret-unresolved", "kek")
    assert "Secret ref `kek` is refused" in problem["detail"]
    assert "ORCH_TENANT_SECRET_<NAME>" in problem["detail"]
    assert upstream.calls() == 0
    kek = service_env["ORCH_KEK"]
    assert not [r for r in upstream.requests() if kek in repr(r)]
    assert kek not in refused.text
    assert kek not in stack.services["exec-api"].log()


async def test_the_ingress_verifies_no_delivery_with_a_refused_ref(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: Sessions,
    service_env: dict[str, str],
) -> None:
    api = await operator_api(http, stack, tenant)
    ingress = stack.url("webhook-ingress")

    async def deliver(source_id: str, secret: str) -> httpx.Response:
        body = stripe_event()
        return await http.post(
            f"{ingress}/webhooks/{source_id}",
            content=body,
            headers=stripe_headers(body, secret=secret),
        )

    ok = {"name": "hook-secret", "ref": f"env://{TENANT_SECRET_VARIABLE}"}
    assert (await api.write("POST", "/secret-refs", ok)).status_code == 201
    permitted = await new_source(api, "stripe", ["hook-secret"])
    assert (await deliver(permitted, TENANT_SECRET_VALUE)).status_code == 200

    # Signed with the KEK, as someone who made the ingress verify with it would sign.
    await stored_behind_the_api(app_sessions, tenant.tenant_id, "kek-secret", "env://ORCH_KEK")
    leaky = await new_source(api, "stripe", ["kek-secret"])
    kek = service_env["ORCH_KEK"]
    refused = await deliver(leaky, kek)
    assert refused.status_code == 401, refused.text
    assert refused.json()["code"] == "webhook-unverified"
    log = stack.services["webhook-ingress"].log()
    assert "Secret ref `kek-secret` is refused" in log
    assert kek not in log


async def test_per_workspace_env_refs_reach_only_the_workspaces_own_variables(
    app_sessions: Sessions, tenant: BootstrapResult, kek: KeyEncryptionKey
) -> None:
    other = await new_tenant(app_sessions, kek)
    environ = {"ORCH_SECRET_REFS_ENV_SCOPE": "workspace"}
    scope = RefScope.from_env(environ)
    mine = f"{scope.env_prefix_of(tenant.tenant_id)}PSP_KEY"
    theirs = f"{scope.env_prefix_of(other.tenant_id)}PSP_KEY"
    everyone = "ORCH_TENANT_SECRET_PSP_KEY"
    environ |= {mine: "value-mine", theirs: "value-theirs", everyone: "value-everyone"}
    m = Mutation(tenant_id=tenant.tenant_id, actor="test", reason="scope test")

    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        await secret_refs.create_secret_ref(session, m, "mine", f"env://{mine}", scope)
        for i, name in enumerate((theirs, everyone)):
            with pytest.raises(ValidationFailed) as refused:
                await secret_refs.create_secret_ref(session, m, f"no-{i}", f"env://{name}", scope)
            assert scope.env_prefix_of(tenant.tenant_id) in str(refused.value.extensions["errors"])
    await stored_behind_the_api(app_sessions, tenant.tenant_id, "theirs", f"env://{theirs}")

    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        found = await resolve_secrets(session, kek, ["mine"], environ=environ)
        assert found == {"mine": "value-mine"}
        with pytest.raises(SecretUnresolved) as caught:
            await resolve_secrets(session, kek, ["mine", "theirs"], environ=environ)
    assert caught.value.status == 409
    assert "Secret ref `theirs` is refused" in caught.value.detail
    assert "value-" not in caught.value.detail

    # Turned off, not even the workspace's own variable resolves.
    off = {**environ, "ORCH_SECRET_REFS_ENV_SCOPE": "off"}
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        with pytest.raises(SecretUnresolved, match="env:// refs are turned off"):
            await resolve_secrets(session, kek, ["mine"], environ=off)


async def test_a_stored_ref_of_no_known_scheme_is_listed_not_a_500(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, app_sessions: Sessions
) -> None:
    client = await caller(http, stack, tenant)
    await stored_behind_the_api(app_sessions, tenant.tenant_id, "odd", "ftp://somewhere")
    for path in ("/secret-refs", "/secret-refs/odd"):
        shown = await client.operator.call("GET", path)
        assert shown.status_code == 200, shown.text
    assert shown.json()["scheme"] == "unknown"
    repointed = await client.operator.write("PUT", "/secret-refs/odd", {"ref": "db://"})
    assert repointed.status_code == 200, repointed.text
    assert repointed.json()["scheme"] == "db"


@pytest.mark.parametrize("ref", ["env://DATABASE_URL", "env://ORCH_KEK", "env://HOME"])
async def test_a_stored_bad_ref_fails_resolution_with_a_clear_409_and_no_value(
    app_sessions: Sessions,
    tenant: BootstrapResult,
    kek: KeyEncryptionKey,
    service_env: dict[str, str],
    ref: str,
) -> None:
    await stored_behind_the_api(app_sessions, tenant.tenant_id, "bad", ref)
    environ = {**service_env, "HOME": "/home/someone"}
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        with pytest.raises(SecretUnresolved) as caught:
            await resolve_secrets(session, kek, ["bad"], environ=environ)
    assert caught.value.status == 409
    assert caught.value.detail.startswith("Secret ref `bad` is refused: env:// may read only")
    for value in [*deployment_values(service_env), "/home/someone"]:
        assert value not in caught.value.detail


@pytest.fixture
def vault() -> Iterator[VaultServer]:
    with running_vault() as server:
        yield server


@pytest.mark.parametrize(
    "ref", ["vault://../other#api_key", "vault://a/../../x#k", "vault:///etc#k", "vault://%2e%2e#k"]
)
async def test_a_stored_vault_path_that_climbs_is_refused_before_vault_is_asked(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: Sessions,
    tenant: BootstrapResult,
    kek: KeyEncryptionKey,
    vault: VaultServer,
    ref: str,
) -> None:
    await stored_behind_the_api(app_sessions, tenant.tenant_id, "climb", ref)
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        with pytest.raises(SecretUnresolved, match="Secret ref `climb` is not a valid ref"):
            await resolve_secrets(session, kek, ["climb"], environ=vault.environ())
    assert vault.reads == []
    listed = await (await operator_api(http, stack, tenant)).call("GET", "/secret-refs/climb")
    assert listed.status_code == 200, listed.text  # shown, so it can be repointed
    assert (listed.json()["ref"], listed.json()["scheme"]) == (ref, "vault")


async def test_a_vault_prefix_without_the_workspace_is_refused_before_vault_is_asked(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: Sessions,
    kek: KeyEncryptionKey,
    vault: VaultServer,
) -> None:
    vault.put("shared/payments", {"api_key": "everyone-s-secret"})
    api = await operator_api(http, stack, tenant)
    made = await api.write(
        "POST", "/secret-refs", {"name": "key", "ref": "vault://payments#api_key"}
    )
    assert made.status_code == 201, made.text
    environ = vault.environ(ORCH_VAULT_PATH_PREFIX="shared/")
    async with tenant_transaction(app_sessions, tenant.tenant_id) as session:
        with pytest.raises(SecretUnresolved) as caught:
            await resolve_secrets(session, kek, ["key"], environ=environ)
    assert "ORCH_VAULT_PATH_PREFIX must name `{tenant_id}`" in caught.value.detail
    assert "everyone-s-secret" not in caught.value.detail
    assert vault.reads == []
