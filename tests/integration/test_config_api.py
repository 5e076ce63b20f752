"""Policies, connectors, secret refs, configs and quotas through the control-api."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration import repository
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog
from orchestrator.core.policy.model import PolicySpec, RetryPolicy, TenantQuota
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import REASON, Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def http_config(secret: str | None = "api_token") -> dict[str, Any]:
    """A valid ``http`` connector config, with bearer auth from ``secret`` when given."""
    config: dict[str, Any] = {
        "base_url": "http://127.0.0.1:9/v1",
        "operations": {"get_user": {"method": "GET", "path": "/users/{id}"}},
    }
    if secret is not None:
        config["auth"] = {"type": "bearer", "secret": secret}
    return config


async def audit_records(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, prefix: str = ""
) -> list[AuditLog]:
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        rows = await session.scalars(
            select(AuditLog)
            .where(AuditLog.tenant_id == tenant_id, AuditLog.action.startswith(prefix))
            .order_by(AuditLog.id)
        )
        return list(rows)


async def test_policy_round_trip_versions_only_real_changes_and_audits_each(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    created = await api.write("POST", "/policies", {"name": "payments", "spec": {}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["version"] == 1
    assert body["spec"]["retry"]["max_attempts"] == RetryPolicy().max_attempts  # defaults filled

    spec = {"retry": {"max_attempts": 5}, "rate_limit": {"limit": 10}}
    replaced = await api.write("PUT", "/policies/payments", {"spec": spec})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["version"] == 2
    same = await api.write("PUT", "/policies/payments", {"spec": spec})
    assert same.json()["version"] == 2  # nothing changed, nothing bumped

    fetched = await api.call("GET", "/policies/payments")
    assert fetched.json()["spec"]["rate_limit"]["limit"] == 10
    listed = await api.call("GET", "/policies")
    assert [p["name"] for p in listed.json()["items"]] == ["payments"]

    assert (await api.write("DELETE", "/policies/payments")).status_code == 204
    assert (await api.call("GET", "/policies/payments")).status_code == 404
    assert (await api.write("DELETE", "/policies/payments")).status_code == 404

    records = await audit_records(owner_sessions, tenant.tenant_id, "policy.")
    assert [r.action for r in records] == ["policy.create", "policy.update", "policy.delete"]
    assert {r.reason for r in records} == {REASON["reason"]}
    assert records[1].before is not None
    assert records[1].after is not None
    assert (records[1].before["version"], records[1].after["version"]) == (1, 2)
    assert all(r.request_id for r in records)


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({"retry": {"max_attempts": 0}}, "/spec/retry/max_attempts"),
        ({"retry": {"typo": 1}}, "/spec/retry/typo"),
        ({"rate_limit": {}}, "/spec/rate_limit/limit"),
        ({"breaker": {"window": "forever"}}, "/spec/breaker/window"),
    ],
)
async def test_an_invalid_policy_spec_is_a_422_naming_the_field(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, spec: Any, key: str
) -> None:
    api = await operator_api(http, stack, tenant)
    response = await api.write("POST", "/policies", {"name": "broken", "spec": spec})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["key"] for e in response.json()["errors"]] == [key]
    assert (await api.call("GET", "/policies/broken")).status_code == 404


async def test_a_name_taken_is_409_and_a_mutation_without_reason_is_400(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/policies", {"name": "dup"})).status_code == 201
    assert (await api.write("POST", "/policies", {"name": "dup"})).status_code == 409
    unexplained = await api.call("DELETE", "/policies/dup")
    assert unexplained.status_code == 400, unexplained.text
    assert (await api.call("GET", "/policies/dup")).status_code == 200


async def test_connector_round_trip_binds_a_policy_and_secret_refs(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/policies", {"name": "slow", "spec": {}})).status_code == 201
    ref = await api.write(
        "POST", "/secret-refs", {"name": "users-token", "ref": "env://ORCH_TENANT_SECRET_TOKEN"}
    )
    assert ref.status_code == 201, ref.text
    connector = {
        "name": "users",
        "type": "http",
        "config": http_config(),
        "policy": "slow",
        "secrets": {"api_token": "users-token"},
    }
    created = await api.write("POST", "/connectors", connector)
    assert created.status_code == 201, created.text
    assert created.json() | {"created_at": None, "updated_at": None} == {
        **connector,
        "enabled": True,
        "version": 1,
        "created_at": None,
        "updated_at": None,
    }
    disabled = {k: v for k, v in connector.items() if k != "name"} | {"enabled": False}
    replaced = await api.write("PUT", "/connectors/users", disabled)
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["enabled"], replaced.json()["version"]) == (False, 2)

    in_use = await api.write("DELETE", "/policies/slow")
    assert in_use.status_code == 409
    assert in_use.json()["used_by"] == ["users"]
    assert (await api.write("DELETE", "/secret-refs/users-token")).status_code == 409

    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        found = await repository.connector_with_policy(session, "users")
    assert found is not None
    row, policy = found
    assert (row.name, row.secrets) == ("users", {"api_token": "users-token"})
    assert policy == PolicySpec()

    assert (await api.write("DELETE", "/connectors/users")).status_code == 204
    assert (await api.write("DELETE", "/policies/slow")).status_code == 204
    assert (await api.write("DELETE", "/secret-refs/users-token")).status_code == 204
    actions = [r.action for r in await audit_records(owner_sessions, tenant.tenant_id, "conn")]
    assert actions == ["connector.create", "connector.update", "connector.delete"]


async def test_a_connector_of_an_unknown_type_is_a_422(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    response = await api.write("POST", "/connectors", {"name": "x", "type": "carrier-pigeon"})
    assert response.status_code == 422, response.text
    assert [e["key"] for e in response.json()["errors"]] == ["/type"]


async def test_a_connector_needing_a_secret_without_a_ref_is_a_422(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    unmapped = await api.write(
        "POST", "/connectors", {"name": "a", "type": "http", "config": http_config()}
    )
    assert unmapped.status_code == 422, unmapped.text
    assert [e["key"] for e in unmapped.json()["errors"]] == ["/secrets/api_token"]
    dangling = await api.write(
        "POST",
        "/connectors",
        {
            "name": "a",
            "type": "http",
            "config": http_config(),
            "secrets": {"api_token": "nowhere"},
            "policy": "nonexistent",
        },
    )
    assert dangling.status_code == 422, dangling.text
    assert sorted(e["key"] for e in dangling.json()["errors"]) == ["/policy", "/secrets/api_token"]
    bad_config = await api.write(
        "POST", "/connectors", {"name": "a", "type": "http", "config": {"operations": {}}}
    )
    assert bad_config.status_code == 422, bad_config.text
    assert all(e["key"].startswith("/config") for e in bad_config.json()["errors"])
    assert (await api.call("GET", "/connectors")).json()["items"] == []


async def test_a_tenant_never_sees_or_changes_another_organizations_rows(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    ours, theirs = (
        await operator_api(http, stack, tenant),
        await operator_api(http, stack, other_tenant),
    )
    assert (await theirs.write("POST", "/policies", {"name": "private"})).status_code == 201
    foreign = {"workspace": str(other_tenant.tenant_id)}
    assert (await ours.call("GET", "/policies", params=foreign)).status_code == 404
    assert (await ours.call("GET", "/policies/private", params=foreign)).status_code == 404
    assert (await ours.call("GET", "/policies/private")).status_code == 404
    refused = await ours.write("POST", "/policies", {"name": "planted"}, **foreign)
    assert refused.status_code == 404
    assert (await ours.write("DELETE", "/policies/private", **foreign)).status_code == 404
    assert (await ours.call("GET", "/bundles/export", params=foreign)).status_code == 404
    names = [p["name"] for p in (await theirs.call("GET", "/policies")).json()["items"]]
    assert names == ["private"]

    # The same isolation holds in PostgreSQL for the runtime role.
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        assert await repository.POLICIES.get(session, "private") is None
        assert (await repository.list_policies(session)).items == []


async def test_the_workspace_parameter_picks_a_workspace_of_the_same_organization(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    created = await api.call(
        "POST",
        "/workspaces",
        json={"name": f"second-{uuid.uuid4().hex[:6]}", "environment": "dev", "reason": "test"},
    )
    assert created.status_code == 201, created.text
    second = {"workspace": created.json()["id"]}
    assert (
        await api.write("POST", "/policies", {"name": "only-there"}, **second)
    ).status_code == 201
    there = await api.call("GET", "/policies", params=second)
    assert [p["name"] for p in there.json()["items"]] == ["only-there"]
    home = await api.call("GET", "/policies")
    assert "only-there" not in [p["name"] for p in home.json()["items"]]


async def test_a_read_only_auditor_reads_but_cannot_write(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    api = Api(http, base, await fetch_token(http, base, auditor.client_id, auditor.client_secret))
    for path in ("/policies", "/connectors", "/secret-refs", "/configs", "/quotas"):
        assert (await api.call("GET", path)).status_code == 200, path
    assert (await api.call("GET", "/bundles/export")).status_code == 200
    writes = [
        ("POST", "/policies", {"name": "nope"}),
        ("POST", "/secret-refs", {"name": "nope", "ref": "db://"}),
        ("PUT", "/configs/nope", {"document": {}}),
        ("PUT", "/quotas", {"rps": 1}),
        ("POST", "/bundles/import", {}),
    ]
    for method, path, body in writes:
        assert (await api.write(method, path, body)).status_code == 403, path


async def test_configs_keep_immutable_versions_with_the_latest_active(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    first = await api.write("PUT", "/configs/routing", {"document": {"region": "eu"}})
    assert first.status_code == 200, first.text
    assert (first.json()["version"], first.json()["active_version"]) == (1, 1)
    second = await api.write("PUT", "/configs/routing", {"document": {"region": "us"}})
    assert (second.json()["version"], second.json()["latest_version"]) == (2, 2)
    again = await api.write("PUT", "/configs/routing", {"document": {"region": "us"}})
    assert again.json()["version"] == 2

    active = await api.call("GET", "/configs/routing")
    assert active.json()["document"] == {"region": "us"}
    old = await api.call("GET", "/configs/routing", params={"version": 1})
    assert old.json()["document"] == {"region": "eu"}
    assert old.json()["active_version"] == 2
    assert (await api.call("GET", "/configs/routing", params={"version": 3})).status_code == 404
    listed = (await api.call("GET", "/configs")).json()["items"]
    assert [(c["name"], c["active_version"]) for c in listed] == [("routing", 2)]
    actions = [r.action for r in await audit_records(owner_sessions, tenant.tenant_id, "config")]
    assert actions == ["config.create", "config.update"]


async def test_quotas_default_to_unlimited_and_are_read_in_one_query(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    unset = (await api.call("GET", "/quotas")).json()
    assert (unset["rps"], unset["version"]) == (None, 0)
    put = await api.write("PUT", "/quotas", {"rps": 50, "concurrency": 8})
    assert put.status_code == 200, put.text
    assert (put.json()["rps"], put.json()["queue_depth"], put.json()["version"]) == (50, None, 1)
    assert (await api.write("PUT", "/quotas", {"rps": 0})).status_code == 400
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        assert await repository.tenant_quota(session) == TenantQuota(rps=50, concurrency=8)


async def test_connector_types_are_listed_with_their_schemas(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    response = await api.call("GET", "/connector-types")
    assert response.status_code == 200, response.text
    types = {t["name"]: t for t in response.json()["items"]}
    assert "http" in types
    assert types["http"]["config_schema"]  # a JSON Schema document
    assert types["http"]["secret_schema"]["type"] == "object"
    assert types["http"]["operations_in_config"] is True
