"""Impersonation: a short, signed exec token with ``act`` and a reason; start and stop audited."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import decode_unverified, fetch_token, forge, new_auditor, now
from tests.support.jobs import add_connector, exec_headers
from tests.support.stack import Stack

REASON = "ticket 4711: customer reports stuck jobs"


async def start(api: Api, **body: object) -> httpx.Response:
    return await api.call("POST", "/impersonation", json=body, params={"reason": REASON})


async def exec_workspace(http: httpx.AsyncClient, stack: Stack, token: str) -> httpx.Response:
    return await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}
    )


async def audit_rows(
    sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult, action: str
) -> list[AuditLog]:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        return list(
            (
                await session.scalars(
                    # The owner may be a superuser, whom RLS does not filter: say the tenant.
                    select(AuditLog)
                    .where(AuditLog.tenant_id == tenant.tenant_id, AuditLog.action == action)
                    .order_by(AuditLog.id)
                )
            ).all()
        )


async def test_impersonation_token_acts_in_the_workspace_and_is_audited(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    started = await start(admin, workspace_id=str(tenant.tenant_id), ttl_s=120)
    assert started.status_code == 201, started.text
    assert started.headers["cache-control"] == "no-store"
    body = started.json()
    assert body["expires_in"] == 120
    assert body["scope"] == "events:read jobs:read"  # read-only unless asked
    seen = await exec_workspace(http, stack, body["access_token"])
    assert seen.status_code == 200, seen.text
    assert seen.json()["id"] == str(tenant.tenant_id)
    claims = decode_unverified(body["access_token"])
    admin_name = claims["sub"]
    assert claims["aud"] == "orchestrator-exec"
    assert claims["tid"] == str(tenant.tenant_id)
    # ``act.org`` names the operator's organization, so disabling it can end the token.
    assert claims["act"] == {
        "sub": admin_name,
        "org": decode_unverified(admin.headers["Authorization"].split()[1])["org"],
    }
    assert claims["reason"] == REASON
    assert claims["jti"] == body["jti"]
    assert claims["exp"] - claims["iat"] == 120
    [record] = await audit_rows(owner_sessions, tenant, "impersonation.start")
    assert record.actor == admin_name
    assert record.reason == REASON
    assert record.target == f"workspace:{tenant.tenant_id}"
    assert record.after is not None
    assert record.after["jti"] == body["jti"]
    assert record.impersonation == {"operator": admin_name, "reason": REASON, "jti": body["jti"]}


async def test_ttl_is_capped_and_scopes_are_exec_scopes(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    workspace = str(tenant.tenant_id)
    for ttl in (59, 3601):
        assert (await start(admin, workspace_id=workspace, ttl_s=ttl)).status_code == 400
    assert (await start(admin, workspace_id=workspace, scopes=["control:write"])).status_code == 400
    full = await start(admin, workspace_id=workspace, ttl_s=3600, scopes=["execute", "jobs:write"])
    assert full.status_code == 201, full.text
    assert full.json()["scope"] == "execute jobs:write"
    claims = decode_unverified(full.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 3600
    no_reason = await admin.call("POST", "/impersonation", json={"workspace_id": workspace})
    assert no_reason.status_code == 400


async def test_another_organizations_workspace_is_not_found_and_auditors_are_refused(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    theirs = await operator_api(http, stack, other_tenant)
    assert (await start(theirs, workspace_id=str(tenant.tenant_id))).status_code == 404
    creds = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    auditor = Api(http, base, await fetch_token(http, base, creds.client_id, creds.client_secret))
    assert (await start(auditor, workspace_id=str(tenant.tenant_id))).status_code == 403
    mine = await operator_api(http, stack, tenant)
    jti = (await start(mine, workspace_id=str(tenant.tenant_id))).json()["jti"]
    stop = await theirs.call("POST", f"/impersonation/{jti}/stop", params={"reason": REASON})
    assert stop.status_code == 404, stop.text


async def test_a_support_operator_may_impersonate(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    admin = await operator_api(http, stack, tenant)
    created = await admin.write(
        "POST",
        "/operators",
        json={
            "name": "op:support-1",
            "role": "Support",
            "home_workspace_id": str(tenant.tenant_id),
        },
    )
    base = stack.url("control-api")
    support = Api(
        http,
        base,
        await fetch_token(http, base, created.json()["client_id"], created.json()["client_secret"]),
    )
    started = await start(support, workspace_id=str(tenant.tenant_id))
    assert started.status_code == 201, started.text
    assert decode_unverified(started.json()["access_token"])["act"]["sub"] == "op:support-1"


async def test_stopped_impersonation_is_refused_by_the_exec_api_within_a_second(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await operator_api(http, stack, tenant)
    body = (await start(admin, workspace_id=str(tenant.tenant_id))).json()
    token, jti = body["access_token"], body["jti"]
    assert (await exec_workspace(http, stack, token)).status_code == 200
    stopped = await admin.call(
        "POST", f"/impersonation/{jti}/stop", params={"reason": "ticket closed"}
    )
    assert stopped.status_code == 200, stopped.text
    assert stopped.json() == {"jti": jti, "expires_at": body["expires_at"], "stopped": True}
    deadline = asyncio.get_running_loop().time() + 1.0
    while (await exec_workspace(http, stack, token)).status_code != 401:
        assert asyncio.get_running_loop().time() < deadline, "still accepted after a second"
        await asyncio.sleep(0.05)
    again = await admin.call("POST", f"/impersonation/{jti}/stop", params={"reason": "twice"})
    assert again.status_code == 200, again.text
    [first, *_] = await audit_rows(owner_sessions, tenant, "impersonation.stop")
    assert first.reason == "ticket closed"
    assert first.impersonation is not None
    assert first.impersonation["jti"] == jti
    unknown = await admin.call(
        "POST", "/impersonation/imp.not-a-real-one/stop", params={"reason": "typo"}
    )
    assert unknown.status_code == 404


async def test_a_token_with_a_malformed_act_claim_is_refused(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    admin = await operator_api(http, stack, tenant)
    genuine = (await start(admin, workspace_id=str(tenant.tenant_id))).json()["access_token"]
    claims = decode_unverified(genuine)
    for act in ("op:someone", {"client_id": "x"}, {"sub": 7}):
        token = await forge(owner_sessions, kek, {**claims, "act": act, "jti": f"j-{now()}"})
        assert (await exec_workspace(http, stack, token)).status_code == 401
    resigned = await forge(owner_sessions, kek, claims)
    assert (await exec_workspace(http, stack, resigned)).status_code == 200


async def test_what_an_impersonation_token_changes_is_audited_before_it_is_answered(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_connector(app_sessions, tenant.tenant_id)
    admin = await operator_api(http, stack, tenant)
    scopes = ["execute", "jobs:read", "jobs:write"]
    body = (await start(admin, workspace_id=str(tenant.tenant_id), scopes=scopes)).json()
    jobs = f"{stack.url('exec-api')}/api/v1/jobs"
    impersonating = {"Authorization": f"Bearer {body['access_token']}"}
    job = {"connector": "echo", "operation": "get", "payload": {}, "delay_ms": 3_600_000}

    queued = await http.post(jobs, json=job, headers=impersonating)
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["id"]
    # Audited before the answer: the record is there as soon as the 202 is.
    [record] = await audit_rows(owner_sessions, tenant, "exec.POST /api/v1/jobs")
    assert record.actor == decode_unverified(body["access_token"])["sub"]
    assert (record.reason, record.target, record.after) == (REASON, "/api/v1/jobs", {"status": 202})
    assert record.impersonation is not None
    assert record.impersonation["jti"] == body["jti"]

    cancelled = await http.post(f"{jobs}/{job_id}/cancel", headers=impersonating)
    assert cancelled.status_code == 200, cancelled.text
    [cancel] = [
        r for r in await all_exec_audit(owner_sessions, tenant) if r.target.endswith("/cancel")
    ]
    assert cancel.target == f"/api/v1/jobs/{job_id}/cancel"

    # Reads, refusals and the product backend's own token write no audit record.
    assert (await http.get(f"{jobs}/{job_id}", headers=impersonating)).status_code == 200
    refused = await http.post(jobs, json={**job, "payload": "x"}, headers=impersonating)
    assert refused.status_code == 400, refused.text
    own = await exec_headers(http, stack, tenant)
    assert (await http.post(jobs, json=job, headers=own)).status_code == 202
    assert len(await all_exec_audit(owner_sessions, tenant)) == 2


async def all_exec_audit(
    sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult
) -> list[AuditLog]:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        found = await session.scalars(
            select(AuditLog)
            .where(AuditLog.tenant_id == tenant.tenant_id, AuditLog.action.startswith("exec."))
            .order_by(AuditLog.id)
        )
        return list(found.all())
