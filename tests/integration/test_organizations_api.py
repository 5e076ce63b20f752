"""Organizations created over the control-api by a platform operator (ADR 0051)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog, Workspace
from orchestrator.core.tenancy.service import BootstrapResult, bootstrap
from tests.support.control_api import Api, operator_api
from tests.support.durability import until
from tests.support.factories import decode_unverified, fetch_token, forge, new_tenant
from tests.support.stack import Stack

PROBLEM = "application/problem+json"


def cli_platform_operator(service_env: dict[str, str], name: str) -> dict[str, str]:
    """``orchestrator platform-operator create --name NAME --json``, as an operator runs it."""
    command = [sys.executable, "-m", "orchestrator.cli.main", "platform-operator", "create"]
    command += ["--name", name, "--json"]
    done = subprocess.run(
        command, env={**os.environ, **service_env}, check=True, capture_output=True
    )
    result: dict[str, str] = json.loads(done.stdout)
    return result


@pytest.fixture
async def platform(
    stack: Stack, http: httpx.AsyncClient, platform_operator: tuple[str, str]
) -> Api:
    """The session's platform operator's API (its credentials made by the CLI), on a token of
    this test's own."""
    base = stack.url("control-api")
    return Api(http, base, await fetch_token(http, base, *platform_operator))


def new_org_body(**extra: Any) -> dict[str, Any]:
    return {
        "name": f"org-{uuid.uuid4().hex[:8]}",
        "admin": {"name": "op:first-admin"},
        "workspace": {"name": "shop-dev"},
        **extra,
    }


async def token_status(http: httpx.AsyncClient, stack: Stack, client_id: str, secret: str) -> int:
    response = await http.post(
        f"{stack.url('control-api')}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    return response.status_code


@pytest.mark.usefixtures("signing_key")
async def test_cli_platform_operator_is_idempotent_by_name_with_a_fresh_secret(
    stack: Stack, http: httpx.AsyncClient, service_env: dict[str, str]
) -> None:
    name = f"platform-{uuid.uuid4().hex[:6]}"
    first = cli_platform_operator(service_env, name)
    second = cli_platform_operator(service_env, name)
    assert set(first) == {"name", "client_id", "client_secret"}
    assert first["client_id"] == second["client_id"]
    assert first["client_id"].startswith("plat_")
    assert first["client_secret"] != second["client_secret"]
    assert await token_status(http, stack, first["client_id"], first["client_secret"]) == 401
    token = await fetch_token(
        http, stack.url("control-api"), second["client_id"], second["client_secret"]
    )
    claims = decode_unverified(token)
    assert claims["aud"] == "orchestrator-control"
    assert claims["role"] == "PlatformAdmin"
    assert claims["scope"] == "platform:read platform:write"
    assert "tid" not in claims
    assert "org" not in claims
    assert claims["sub"] == name


async def test_created_organization_admin_and_exec_identity_work(
    stack: Stack,
    http: httpx.AsyncClient,
    platform: Api,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    body = new_org_body()
    created = await platform.write("POST", "/organizations", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    out = created.json()
    assert out["organization"]["name"] == body["name"]
    assert out["organization"]["status"] == "COMMITTED"
    workspace_id = out["workspace"]["id"]
    assert out["workspace"]["name"] == "shop-dev"
    assert out["workspace"]["status"] == "COMMITTED"

    # The new admin's token works on the new organization, and only on it.
    base = stack.url("control-api")
    admin_token = await fetch_token(
        http, base, out["admin"]["client_id"], out["admin"]["client_secret"]
    )
    assert decode_unverified(admin_token)["org"] == out["organization"]["id"]
    admin = Api(http, base, admin_token)
    listed = await admin.call("GET", "/workspaces")
    assert listed.status_code == 200, listed.text
    assert [ws["id"] for ws in listed.json()["items"]] == [workspace_id]
    operators = (await admin.call("GET", "/operators")).json()["items"]
    assert [(op["name"], op["role"]) for op in operators] == [("op:first-admin", "OperatorAdmin")]
    new_ws = await admin.call(
        "POST", "/workspaces", json={"name": "shop-prod", "environment": "dev", "reason": "more"}
    )
    assert new_ws.status_code == 201, new_ws.text

    # The first workspace's exec identity works on the exec-api.
    exec_token = await fetch_token(
        http, base, out["exec"]["client_id"], out["exec"]["client_secret"]
    )
    seen = await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace",
        headers={"Authorization": f"Bearer {exec_token}"},
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["id"] == workspace_id

    listed_orgs = await platform.every("/organizations")  # a page may not hold them all
    assert body["name"] in {org["name"] for org in listed_orgs}

    tenant = uuid.UUID(workspace_id)
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant)
        records = (
            await session.scalars(
                select(AuditLog).where(AuditLog.tenant_id == tenant).order_by(AuditLog.id)
            )
        ).all()
    actions = [r.action for r in records]
    assert actions[:2] == ["workspace.create", "organization.create"]
    org_record = records[1]
    assert org_record.actor.startswith("platform:platform-")
    assert org_record.reason == "configuration test"
    assert org_record.after is not None
    assert org_record.after["admin_client_id"] == out["admin"]["client_id"]
    assert "client_secret" not in json.dumps(org_record.after)


async def test_retry_by_operation_id_and_conflicts(
    stack: Stack, http: httpx.AsyncClient, platform: Api
) -> None:
    operation_id = f"op-{uuid.uuid4()}"
    body = new_org_body(operation_id=operation_id)
    del body["workspace"]  # the admin still needs a home: a workspace called `default`
    first = await platform.write("POST", "/organizations", json=body)
    assert first.status_code == 201, first.text
    again = await platform.write("POST", "/organizations", json=body)
    assert again.status_code == 200, again.text
    one, two = first.json(), again.json()
    assert one["workspace"]["name"] == "default"
    for part in ("organization", "workspace"):
        assert one[part]["id"] == two[part]["id"]
    assert one["admin"]["client_id"] == two["admin"]["client_id"]
    assert one["exec"]["client_id"] == two["exec"]["client_id"]
    # Only hashes are kept: the repeat issued fresh secrets, and only they work now.
    admin_id = two["admin"]["client_id"]
    assert await token_status(http, stack, admin_id, one["admin"]["client_secret"]) == 401
    assert await token_status(http, stack, admin_id, two["admin"]["client_secret"]) == 200

    other_body = {**body, "admin": {"name": "op:someone-else"}}
    reused = await platform.write("POST", "/organizations", json=other_body)
    assert reused.status_code == 409, reused.text
    assert reused.headers["content-type"].startswith(PROBLEM)

    clash = await platform.write("POST", "/organizations", json={**body, "operation_id": "new-op"})
    assert clash.status_code == 409, clash.text
    assert clash.json()["code"] == "conflict"
    listed = await platform.every("/organizations")
    assert [org["name"] for org in listed].count(body["name"]) == 1


async def test_a_first_workspace_name_too_long_for_its_exec_identity_is_refused(
    platform: Api,
) -> None:
    # 200 characters fit a workspace, not `svc:<name>-backend`: this was a 500 that left the
    # organization PENDING, its name taken.
    body = new_org_body(workspace={"name": "w" * 200})
    refused = await platform.write("POST", "/organizations", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert [error["key"] for error in refused.json()["errors"]] == ["workspace.name"]

    longest = await platform.write(
        "POST", "/organizations", json={**body, "workspace": {"name": "w" * 188}}
    )
    assert longest.status_code == 201, longest.text
    assert longest.json()["workspace"]["name"] == "w" * 188


async def test_only_platform_operators_manage_organizations(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    for method in ("GET", "POST"):
        refused = await admin.write(method, "/organizations", json=new_org_body())
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
    base = f"{stack.url('control-api')}/api/v1/organizations"
    anonymous = await http.post(base, params={"reason": "no token"}, json=new_org_body())
    assert anonymous.status_code == 401
    exec_token = await fetch_token(
        http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
    )
    # An exec token is no control-plane token at all: 401, as on every control route.
    as_exec = await http.get(base, headers={"Authorization": f"Bearer {exec_token}"})
    assert as_exec.status_code == 401


async def test_platform_token_gets_nothing_of_an_organization(
    stack: Stack, http: httpx.AsyncClient, platform: Api, tenant: BootstrapResult
) -> None:
    for path, params in (
        ("/policies", {}),
        ("/policies", {"workspace": str(tenant.tenant_id)}),
        ("/operators", {}),
        ("/workspaces", {}),
        (f"/workspaces/{tenant.tenant_id}", {}),
        ("/service-identities", {"workspace": str(tenant.tenant_id)}),
        ("/dlq", {}),
    ):
        response = await platform.call("GET", path, params=params)
        assert response.status_code == 403, (path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    wrote = await platform.write(
        "POST", "/workspaces", json={"name": "sneaky", "environment": "dev", "reason": "no"}
    )
    assert wrote.status_code == 403
    on_exec = await http.get(f"{stack.url('exec-api')}/api/v1/workspace", headers=platform.headers)
    assert on_exec.status_code == 401


async def test_only_a_platform_token_may_lack_a_tenant(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    control = stack.url("control-api")
    genuine = decode_unverified(
        await fetch_token(http, control, tenant.control_client_id, tenant.control_client_secret)
    )
    without_tid = {k: v for k, v in genuine.items() if k != "tid"}
    for claims in (
        without_tid,  # an organization operator's token
        {**without_tid, "role": "PlatformAdmin"},  # still names an organization
    ):
        token = await forge(owner_sessions, kek, claims)
        refused = await http.get(
            f"{control}/api/v1/workspaces", headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 401, refused.text
    exec_claims = decode_unverified(
        await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret)
    )
    exec_token = await forge(
        owner_sessions, kek, {k: v for k, v in exec_claims.items() if k != "tid"}
    )
    refused = await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace",
        headers={"Authorization": f"Bearer {exec_token}"},
    )
    assert refused.status_code == 401


@pytest.mark.usefixtures("signing_key")
async def test_re_issuing_a_secret_ends_the_tokens_of_the_old_one(
    stack: Stack,
    http: httpx.AsyncClient,
    service_env: dict[str, str],
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    """Re-running `platform-operator create` or `bootstrap` revokes what the old secrets
    got (ADR 0045), on every service after its revocation poll."""
    control, exec_api = stack.url("control-api"), stack.url("exec-api")
    name = f"platform-{uuid.uuid4().hex[:6]}"
    first = cli_platform_operator(service_env, name)
    platform_token = await fetch_token(http, control, first["client_id"], first["client_secret"])
    names = {"org": f"org-{uuid.uuid4().hex[:6]}"}
    tenant = await new_tenant(app_sessions, kek, **names)
    exec_token = await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret)

    async def status(url: str, token: str) -> int:
        answer = await http.get(url, headers={"Authorization": f"Bearer {token}"})
        return answer.status_code

    assert await status(f"{control}/api/v1/organizations", platform_token) == 200
    assert await status(f"{exec_api}/api/v1/workspace", exec_token) == 200

    cli_platform_operator(service_env, name)
    again = await bootstrap(
        app_sessions,
        kek,
        organization=names["org"],
        workspace=(await workspace_name(app_sessions, tenant)),
        environment="dev",
    )
    assert again.exec_client_id == tenant.exec_client_id

    async def both_refused() -> bool:
        return (
            await status(f"{control}/api/v1/organizations", platform_token) == 401
            and await status(f"{exec_api}/api/v1/workspace", exec_token) == 401
        )

    assert await until(both_refused, timeout_s=10, every_s=0.2)
    fresh = await fetch_token(http, control, again.exec_client_id, again.exec_client_secret)
    assert await status(f"{exec_api}/api/v1/workspace", fresh) == 200


async def workspace_name(
    sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult
) -> str:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        name = await session.scalar(select(Workspace.name).where(Workspace.id == tenant.tenant_id))
    assert name is not None
    return name
