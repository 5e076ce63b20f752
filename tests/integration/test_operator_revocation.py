"""Disabling an operator or rotating its secret ends every token it holds (ADR 0045).

Besides the session's stack, two extra exec-apis prove each path alone: one hears
announcements but never reconciles (poll once an hour), the other listens on another
Redis namespace, so it misses every announcement and has only its reconcile poll.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth.revocation import revoke_subject
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog, RevokedSubject
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import decode_unverified, fetch_token
from tests.support.maintenance import purge_expired_revocations_now
from tests.support.stack import Service, Stack, start_service, wait_ready

REASON = {"reason": "ticket 99: laptop stolen"}


@pytest.fixture(scope="module")
def lone_exec_apis(service_env: dict[str, str], stack: Stack) -> Iterator[dict[str, Service]]:
    """``announced``: follows pub/sub only. ``reconciled``: misses pub/sub, polls often."""
    services = {
        "announced": start_service(
            "exec-api-announced-only",
            "orchestrator.exec_api",
            {**service_env, "ORCH_AUTH_REVOCATION_POLL_S": "3600"},
        ),
        "reconciled": start_service(
            "exec-api-reconciled-only",
            "orchestrator.exec_api",
            {
                **service_env,
                "ORCH_REDIS_NAMESPACE": f"orch-test-deaf-{uuid.uuid4().hex[:8]}",
                "ORCH_AUTH_REVOCATION_POLL_S": "0.2",
            },
        ),
    }
    try:
        for service in services.values():
            wait_ready(service)
        yield services
    finally:
        for service in services.values():
            service.stop()


class Operator:
    """An operator created by the tenant's admin, with its credentials."""

    def __init__(self, http: httpx.AsyncClient, stack: Stack, created: dict[str, Any]) -> None:
        self.http, self.stack = http, stack
        self.id = str(created["operator"]["id"])
        self.name = str(created["operator"]["name"])
        self.client_id, self.secret = str(created["client_id"]), str(created["client_secret"])

    async def control(self) -> Api:
        base = self.stack.url("control-api")
        return Api(self.http, base, await fetch_token(self.http, base, self.client_id, self.secret))


async def new_operator(
    http: httpx.AsyncClient, stack: Stack, admin: Api, tenant: BootstrapResult, name: str = ""
) -> Operator:
    body = {
        "name": name or f"op:support-{uuid.uuid4().hex[:6]}",
        "role": "Support",
        "home_workspace_id": str(tenant.tenant_id),
    }
    created = await admin.write("POST", "/operators", json=body)
    assert created.status_code == 201, created.text
    return Operator(http, stack, created.json())


async def impersonate(api: Api, tenant: BootstrapResult) -> str:
    started = await api.call(
        "POST", "/impersonation", json={"workspace_id": str(tenant.tenant_id)}, params=REASON
    )
    assert started.status_code == 201, started.text
    return str(started.json()["access_token"])


async def workspace_status(http: httpx.AsyncClient, base: str, token: str) -> int:
    response = await http.get(
        f"{base}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def operators_status(api: Api) -> int:
    return (await api.call("GET", "/operators")).status_code


async def refused_within(seconds: float, *statuses: Any) -> None:
    """Poll each ``statuses()`` until every one answers 401, or fail after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        answered = [await status() for status in statuses]
        if all(code == 401 for code in answered):
            return
        assert loop.time() < deadline, f"still accepted after {seconds}s: {answered}"
        await asyncio.sleep(0.05)


async def test_a_disabled_operators_tokens_and_impersonations_end_at_once(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    lone_exec_apis: dict[str, Service],
) -> None:
    admin = await operator_api(http, stack, tenant)
    support = await new_operator(http, stack, admin, tenant)
    own = await support.control()
    assert await operators_status(own) == 200
    imp = await impersonate(own, tenant)
    exec_urls = [stack.url("exec-api"), lone_exec_apis["announced"].url]
    for url in exec_urls:
        assert await workspace_status(http, url, imp) == 200

    disabled = await admin.write("POST", f"/operators/{support.id}/disable", **REASON)
    assert disabled.status_code == 200, disabled.text

    # The control-api that disabled it refuses at once; the exec-apis on the announcement
    # (one of them never reconciles, so nothing else could have told it).
    assert await operators_status(own) == 401
    await refused_within(
        1.0, *[lambda url=url: workspace_status(http, url, imp) for url in exec_urls]
    )

    org = uuid.UUID(decode_unverified(own.headers["Authorization"].split()[1])["org"])
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        record = await session.scalar(
            select(AuditLog).where(
                AuditLog.tenant_id == tenant.tenant_id,
                AuditLog.action == "operator.disable",
                AuditLog.target == f"operator:{support.id}",
            )
        )
        row = await session.get(RevokedSubject, f"operator:{org}:{support.name}")
    assert record is not None
    assert record.after is not None
    cutoff = dt.datetime.fromisoformat(record.after["tokens_revoked_before"])
    assert abs((cutoff - dt.datetime.now(dt.UTC)).total_seconds()) < 30
    assert row is not None
    assert row.revoked_before == cutoff
    assert row.reason == REASON["reason"]
    # Kept for the longest token lifetime (the hour of an impersonation) plus leeway.
    assert row.expires_at - row.revoked_before >= dt.timedelta(hours=1)

    # Enabling it again revives nothing old; what it gets afterwards works.
    enabled = await admin.write("POST", f"/operators/{support.id}/enable", **REASON)
    assert enabled.status_code == 200, enabled.text
    assert await operators_status(own) == 401
    assert await workspace_status(http, stack.url("exec-api"), imp) == 401
    again = await support.control()
    assert await operators_status(again) == 200
    fresh = await impersonate(again, tenant)
    for url in exec_urls:
        assert await workspace_status(http, url, fresh) == 200


async def test_a_missed_announcement_is_healed_by_the_reconcile_poll(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    lone_exec_apis: dict[str, Service],
) -> None:
    deaf = lone_exec_apis["reconciled"].url
    admin = await operator_api(http, stack, tenant)
    support = await new_operator(http, stack, admin, tenant)
    imp = await impersonate(await support.control(), tenant)
    assert await workspace_status(http, deaf, imp) == 200  # verified and cached
    disabled = await admin.write("POST", f"/operators/{support.id}/disable", **REASON)
    assert disabled.status_code == 200, disabled.text
    # It heard nothing: only a reconcile pass (every 0.2 s) can refuse the cached token.
    await refused_within(2.0, lambda: workspace_status(http, deaf, imp))


async def test_rotating_a_secret_ends_the_tokens_got_with_the_old_one(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    lone_exec_apis: dict[str, Service],
) -> None:
    admin = await operator_api(http, stack, tenant)
    support = await new_operator(http, stack, admin, tenant)
    old = await support.control()
    imp = await impersonate(old, tenant)
    assert await operators_status(old) == 200
    rotated = await admin.write("POST", f"/operators/{support.id}/rotate-secret", **REASON)
    assert rotated.status_code == 200, rotated.text
    assert await operators_status(old) == 401
    await refused_within(
        1.0,
        lambda: workspace_status(http, stack.url("exec-api"), imp),
        lambda: workspace_status(http, lone_exec_apis["announced"].url, imp),
    )
    # A token got with the new secret right away works (same second as the rotation too).
    support.secret = rotated.json()["client_secret"]
    assert await operators_status(await support.control()) == 200


async def test_an_operator_of_the_same_name_in_another_organization_is_untouched(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    name = f"op:twin-{uuid.uuid4().hex[:6]}"
    mine = await new_operator(http, stack, await operator_api(http, stack, tenant), tenant, name)
    theirs_admin = await operator_api(http, stack, other_tenant)
    theirs = await new_operator(http, stack, theirs_admin, other_tenant, name)
    my_token, their_token = await mine.control(), await theirs.control()
    their_imp = await impersonate(their_token, other_tenant)
    admin = await operator_api(http, stack, tenant)
    assert (await admin.write("POST", f"/operators/{mine.id}/disable", **REASON)).status_code == 200
    assert await operators_status(my_token) == 401
    await asyncio.sleep(0.3)  # past an announcement and a reconcile pass
    assert await operators_status(their_token) == 200
    assert await workspace_status(http, stack.url("exec-api"), their_imp) == 200


async def test_retention_forgets_subject_revocations_past_their_horizon(
    stack: Stack, settings: CoreSettings, app_sessions: async_sessionmaker[AsyncSession]
) -> None:
    expired, live = (f"operator:{uuid.uuid4()}:op:{n}" for n in ("expired", "live"))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    async with app_sessions() as session, session.begin():  # as the runtime role
        await revoke_subject(
            session, subject=expired, horizon_s=3_630, revoked_by="t", reason="r", now=long_ago
        )
        await revoke_subject(session, subject=live, horizon_s=3_630, revoked_by="t", reason="r")
    purge_expired_revocations_now(settings.redis)

    async def present(subject: str) -> bool:
        async with app_sessions() as session:
            return await session.get(RevokedSubject, subject) is not None

    for _ in range(100):
        if not await present(expired):
            break
        await asyncio.sleep(0.1)
    assert not await present(expired), stack.services["worker"].log()
    assert await present(live)
