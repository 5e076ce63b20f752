"""Service identities on the control-api: one workspace, admins only, secrets shown once,
and disabling or rotating one ends the exec tokens it holds (ADR 0045, ADR 0047)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog, RevokedSubject
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import REASON, Api, operator_api
from tests.support.factories import decode_unverified, fetch_token, new_auditor
from tests.support.stack import Stack

PATH = "/service-identities"


class Identity:
    """A service identity created through the API, with its current secret."""

    def __init__(self, created: dict[str, Any]) -> None:
        self.id = str(created["service_identity"]["id"])
        self.name = str(created["service_identity"]["name"])
        self.client_id = str(created["client_id"])
        self.secret = str(created["client_secret"])


async def create(
    api: Api, *, name: str = "", scopes: list[str] | None = None, **params: Any
) -> httpx.Response:
    body = {
        "name": name or f"svc:billing-{uuid.uuid4().hex[:6]}",
        "scopes": ["execute", "jobs:read"] if scopes is None else scopes,
    }
    return await api.write("POST", PATH, json=body, **params)


async def new_identity(api: Api, **kwargs: Any) -> Identity:
    created = await create(api, **kwargs)
    assert created.status_code == 201, created.text
    return Identity(created.json())


async def token_response(
    http: httpx.AsyncClient, stack: Stack, client_id: str, secret: str
) -> httpx.Response:
    return await http.post(
        f"{stack.url('control-api')}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


async def exec_token(http: httpx.AsyncClient, stack: Stack, identity: Identity) -> str:
    return await fetch_token(http, stack.url("control-api"), identity.client_id, identity.secret)


async def exec_status(http: httpx.AsyncClient, stack: Stack, token: str) -> int:
    response = await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def refused_within(seconds: float, status: Callable[[], Awaitable[int]]) -> None:
    """Poll ``status()`` until it answers 401, or fail after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (code := await status()) != 401:
        assert loop.time() < deadline, f"still {code} after {seconds}s"
        await asyncio.sleep(0.05)


async def audit_record(
    owner_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
    action: str,
    identity_id: str,
) -> AuditLog | None:
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        return await session.scalar(
            select(AuditLog).where(
                AuditLog.tenant_id == tenant.tenant_id,  # the owner role may bypass RLS
                AuditLog.action == action,
                AuditLog.target == f"service-identity:{identity_id}",
            )
        )


async def test_a_created_identity_gets_a_working_exec_token_and_is_listed_without_secret(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    created = await create(admin, scopes=["jobs:read", "execute", "execute"])
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    assert body["client_id"].startswith("svc_")
    assert body["client_secret"].startswith("orcs_")
    assert body["service_identity"]["scopes"] == ["execute", "jobs:read"]  # canonical, once
    assert body["service_identity"]["enabled"] is True
    assert body["service_identity"]["workspace_id"] == str(tenant.tenant_id)
    identity = Identity(body)

    token = await exec_token(http, stack, identity)
    claims = decode_unverified(token)
    assert claims["sub"] == identity.name
    assert claims["tid"] == str(tenant.tenant_id)
    assert set(claims["scope"].split()) == {"execute", "jobs:read"}
    assert await exec_status(http, stack, token) == 200

    listed = await admin.call("GET", PATH)
    assert listed.status_code == 200, listed.text
    assert identity.secret not in listed.text
    assert "secret" not in listed.text
    assert "sha256:" not in listed.text
    items = {item["name"]: item for item in listed.json()["items"]}
    # The bootstrap identity (named in its own token's ``sub``) and the new one.
    control = stack.url("control-api")
    bootstrap_token = await fetch_token(
        http, control, tenant.exec_client_id, tenant.exec_client_secret
    )
    assert set(items) == {decode_unverified(bootstrap_token)["sub"], identity.name}
    mine = items[identity.name]
    assert mine["id"] == identity.id
    assert mine["client_id"] == identity.client_id
    assert mine["disabled_at"] is None
    assert dt.datetime.fromisoformat(mine["created_at"]) <= dt.datetime.now(dt.UTC)

    record = await audit_record(owner_sessions, tenant, "service-identity.create", identity.id)
    assert record is not None
    assert record.reason == REASON["reason"]
    assert record.after is not None
    assert record.after["scopes"] == ["execute", "jobs:read"]
    assert identity.secret not in str(record.after)
    assert "sha256:" not in str(record.after)


async def test_names_are_unique_per_workspace_and_scopes_must_exist(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    taken = await new_identity(admin)
    clash = await create(admin, name=taken.name, scopes=["events:read"])
    assert clash.status_code == 409, clash.text
    assert clash.headers["content-type"].startswith("application/problem+json")
    # The same name in another workspace is another identity.
    theirs = await create(await operator_api(http, stack, other_tenant), name=taken.name)
    assert theirs.status_code == 201, theirs.text

    for scopes in (["control:write"], ["execute", "admin"], []):
        refused = await create(admin, scopes=scopes)
        assert refused.status_code == 422, (scopes, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    for bad in ({"name": "Has Spaces", "scopes": ["execute"]}, {"name": "svc:x", "scopes": 3}):
        response = await admin.write("POST", PATH, json=bad)
        assert response.status_code == 400, response.text
    unknown_field = {"name": "svc:extra", "scopes": ["execute"], "secret": "mine"}
    assert (await admin.write("POST", PATH, json=unknown_field)).status_code == 400
    no_reason = await admin.call("POST", PATH, json={"name": "svc:why", "scopes": ["execute"]})
    assert no_reason.status_code == 400, no_reason.text
    missing = str(uuid.uuid4())
    assert (await admin.write("POST", f"{PATH}/{missing}/disable")).status_code == 404
    assert (await admin.write("POST", f"{PATH}/not-a-uuid/disable")).status_code in (400, 404)
    names = [item["name"] for item in (await admin.call("GET", PATH)).json()["items"]]
    assert names.count(taken.name) == 1
    assert "svc:why" not in names
    assert "svc:extra" not in names


async def test_disabling_ends_held_tokens_and_enabling_revives_none(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    identity = await new_identity(admin)
    held = await exec_token(http, stack, identity)
    assert await exec_status(http, stack, held) == 200

    disabled = await admin.write("POST", f"{PATH}/{identity.id}/disable")
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["enabled"] is False
    assert disabled.json()["disabled_at"] is not None
    await refused_within(2.0, lambda: exec_status(http, stack, held))
    refused = await token_response(http, stack, identity.client_id, identity.secret)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    again = await admin.write("POST", f"{PATH}/{identity.id}/disable")
    assert again.status_code == 200
    assert again.json()["enabled"] is False

    record = await audit_record(owner_sessions, tenant, "service-identity.disable", identity.id)
    assert record is not None
    assert record.after is not None
    assert record.before is not None
    assert record.before["enabled"] is True
    assert record.after["enabled"] is False
    cutoff = dt.datetime.fromisoformat(record.after["tokens_revoked_before"])
    async with owner_sessions() as session:
        row = await session.get(RevokedSubject, f"service:{tenant.tenant_id}:{identity.name}")
    assert row is not None
    assert row.revoked_before == cutoff
    assert row.reason == REASON["reason"]

    enabled = await admin.write("POST", f"{PATH}/{identity.id}/enable")
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disabled_at"] is None
    # A token got right away (maybe in the revocation's second) works; the old one does not.
    fresh = await exec_token(http, stack, identity)
    assert await exec_status(http, stack, fresh) == 200
    assert await exec_status(http, stack, held) == 401
    assert await audit_record(owner_sessions, tenant, "service-identity.enable", identity.id)


async def test_rotating_the_secret_ends_the_old_secret_and_its_tokens(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    identity = await new_identity(admin)
    held = await exec_token(http, stack, identity)
    assert await exec_status(http, stack, held) == 200

    rotated = await admin.write("POST", f"{PATH}/{identity.id}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    new_secret = rotated.json()["client_secret"]
    assert new_secret != identity.secret
    assert rotated.json()["client_id"] == identity.client_id

    old = await token_response(http, stack, identity.client_id, identity.secret)
    assert old.status_code == 401
    assert old.json()["error"] == "invalid_client"
    # The new secret works at once, and so does its token (same second as the rotation too).
    identity.secret = new_secret
    fresh = await exec_token(http, stack, identity)
    assert await exec_status(http, stack, fresh) == 200
    await refused_within(2.0, lambda: exec_status(http, stack, held))
    assert await exec_status(http, stack, fresh) == 200

    record = await audit_record(
        owner_sessions, tenant, "service-identity.rotate-secret", identity.id
    )
    assert record is not None
    assert record.after is not None
    assert "tokens_revoked_before" in record.after
    assert new_secret not in str(record.after)
    assert new_secret not in str(record.before)
    assert "sha256:" not in str(record.after)


async def test_only_admins_change_identities_and_other_organizations_see_none(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    victim = await new_identity(admin)
    held = await exec_token(http, stack, victim)

    creds = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    auditor = Api(http, base, await fetch_token(http, base, creds.client_id, creds.client_secret))
    assert victim.id in (await auditor.call("GET", PATH)).text
    assert (await create(auditor)).status_code == 403
    assert (await auditor.write("POST", f"{PATH}/{victim.id}/disable")).status_code == 403

    theirs = await operator_api(http, stack, other_tenant)
    for action in ("disable", "enable", "rotate-secret"):
        response = await theirs.write("POST", f"{PATH}/{victim.id}/{action}")
        assert response.status_code == 404, response.text
        named = await theirs.write(
            "POST", f"{PATH}/{victim.id}/{action}", workspace=str(tenant.tenant_id)
        )
        assert named.status_code == 404, named.text
    assert victim.id not in (await theirs.call("GET", PATH)).text
    listed = await theirs.call("GET", PATH, params={"workspace": str(tenant.tenant_id)})
    assert listed.status_code == 404, listed.text
    planted = await create(theirs, workspace=str(tenant.tenant_id))
    assert planted.status_code == 404, planted.text
    # Nothing they tried touched it.
    assert (await token_response(http, stack, victim.client_id, victim.secret)).status_code == 200
    assert await exec_status(http, stack, held) == 200
