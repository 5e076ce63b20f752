"""Operator management on the control-api: one organization, admins only, secrets shown once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack


async def create_operator(api: Api, tenant: BootstrapResult, role: str) -> httpx.Response:
    body = {
        "name": f"op:{role.lower()}-{uuid.uuid4().hex[:6]}",
        "role": role,
        "home_workspace_id": str(tenant.tenant_id),
    }
    return await api.write("POST", "/operators", json=body)


async def token_status(http: httpx.AsyncClient, stack: Stack, client_id: str, secret: str) -> int:
    response = await http.post(
        f"{stack.url('control-api')}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    return response.status_code


async def as_operator(http: httpx.AsyncClient, stack: Stack, created: dict[str, Any]) -> Api:
    base = stack.url("control-api")
    token = await fetch_token(http, base, created["client_id"], created["client_secret"])
    return Api(http, base, token)


async def own_id(api: Api, client_id: str) -> str:
    listed = (await api.call("GET", "/operators")).json()["items"]
    return str(next(op["id"] for op in listed if op["client_id"] == client_id))


async def test_created_operator_secret_is_shown_once_and_gets_a_token(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    created = await create_operator(admin, tenant, "Support")
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    assert body["client_secret"].startswith("orcs_")
    assert body["operator"]["role"] == "Support"
    assert body["operator"]["enabled"] is True
    assert await token_status(http, stack, body["client_id"], body["client_secret"]) == 200
    listed = await admin.call("GET", "/operators")
    assert listed.status_code == 200, listed.text
    assert body["client_secret"] not in listed.text
    assert "secret" not in listed.text
    names = {op["name"] for op in listed.json()["items"]}
    assert body["operator"]["name"] in names
    assert len(names) == 2  # the bootstrap admin and the new one
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        record = await session.scalar(
            select(AuditLog).where(
                AuditLog.action == "operator.create",
                AuditLog.target == f"operator:{body['operator']['id']}",
            )
        )
    assert record is not None
    assert record.reason == "configuration test"
    assert body["client_secret"] not in str(record.after)


async def test_only_admins_manage_operators(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    support = await as_operator(
        http, stack, (await create_operator(admin, tenant, "Support")).json()
    )
    creds = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    auditor = Api(http, base, await fetch_token(http, base, creds.client_id, creds.client_secret))
    assert (await auditor.call("GET", "/operators")).status_code == 200
    assert (await create_operator(auditor, tenant, "Support")).status_code == 403
    assert (await create_operator(support, tenant, "Support")).status_code == 403
    target = await own_id(admin, creds.client_id)
    assert (await support.write("POST", f"/operators/{target}/disable")).status_code == 403
    # An OperatorAdmin cannot mint the emergency role it does not hold.
    assert (await create_operator(admin, tenant, "BreakGlassAdmin")).status_code == 403


async def test_operators_of_another_organization_are_not_found(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    mine = await operator_api(http, stack, tenant)
    theirs = await operator_api(http, stack, other_tenant)
    victim = (await create_operator(mine, tenant, "Support")).json()
    victim_id = victim["operator"]["id"]
    for action in ("disable", "enable", "rotate-secret"):
        response = await theirs.write("POST", f"/operators/{victim_id}/{action}")
        assert response.status_code == 404, response.text
    assert victim_id not in (await theirs.call("GET", "/operators")).text
    # Nor may they home an operator in my workspace.
    assert (await create_operator(theirs, tenant, "Support")).status_code == 404
    assert await token_status(http, stack, victim["client_id"], victim["client_secret"]) == 200


async def test_disabled_operator_gets_no_token_and_an_admin_cannot_disable_itself(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    created = (await create_operator(admin, tenant, "Support")).json()
    operator_id = created["operator"]["id"]
    disabled = await admin.write("POST", f"/operators/{operator_id}/disable")
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["enabled"] is False
    refused = await http.post(
        f"{stack.url('control-api')}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    enabled = await admin.write("POST", f"/operators/{operator_id}/enable")
    assert enabled.json()["enabled"] is True
    assert await token_status(http, stack, created["client_id"], created["client_secret"]) == 200
    me = await own_id(admin, tenant.control_client_id)
    assert (await admin.write("POST", f"/operators/{me}/disable")).status_code == 409


async def test_rotated_secret_replaces_the_old_one(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    created = (await create_operator(admin, tenant, "ReadOnlyAuditor")).json()
    rotated = await admin.write("POST", f"/operators/{created['operator']['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != created["client_secret"]
    assert await token_status(http, stack, created["client_id"], created["client_secret"]) == 401
    assert await token_status(http, stack, created["client_id"], new_secret) == 200


async def test_operator_creation_needs_a_reason_and_a_known_role(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    body = {"name": "op:x-1", "role": "Support", "home_workspace_id": str(tenant.tenant_id)}
    assert (await admin.call("POST", "/operators", json=body)).status_code == 400
    bad_role = {**body, "role": "Root"}
    assert (await admin.write("POST", "/operators", json=bad_role)).status_code in (400, 422)
