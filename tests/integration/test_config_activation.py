"""Config activation and rollback: the active pointer moves over immutable versions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.configuration.models import Config
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog
from orchestrator.core.notify import config_channel
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

DOCUMENTS = [{"region": "eu"}, {"region": "us"}, {"region": "ap"}]


async def with_versions(api: Api, name: str, documents: list[dict[str, Any]]) -> None:
    """Config ``name`` with one version per document, the last one active."""
    for number, document in enumerate(documents, start=1):
        put = await api.write("PUT", f"/configs/{name}", {"document": document})
        assert put.status_code == 200, put.text
        assert put.json()["version"] == number


async def activate(api: Api, name: str, body: Any, **params: Any) -> httpx.Response:
    return await api.write("POST", f"/configs/{name}/activate", body, **params)


async def rollback(api: Api, name: str, **params: Any) -> httpx.Response:
    return await api.write("POST", f"/configs/{name}/rollback", **params)


async def config_moves(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> list[tuple[str, int | None, int, str]]:
    """Every audited config change: (action, before version, after version, reason)."""
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        rows = await session.scalars(
            select(AuditLog)
            .where(AuditLog.tenant_id == tenant_id, AuditLog.action.startswith("config."))
            .order_by(AuditLog.id)
        )
        return [
            (
                r.action,
                None if r.before is None else r.before["version"],
                r.after["version"] if r.after is not None else -1,
                r.reason,
            )
            for r in rows
        ]


async def test_activating_an_older_version_serves_it_and_is_audited_with_the_reason(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS)

    moved = await activate(api, "routing", {"version": 1}, reason="eu is back")
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["version"], body["active_version"], body["latest_version"]) == (1, 1, 3)
    assert body["document"] == {"region": "eu"}

    active = (await api.call("GET", "/configs/routing")).json()
    assert (active["version"], active["document"]) == (1, {"region": "eu"})
    listed = (await api.call("GET", "/configs")).json()["items"]
    assert [(c["active_version"], c["latest_version"]) for c in listed] == [(1, 3)]
    newest = (await api.call("GET", "/configs/routing", params={"version": 3})).json()
    assert (newest["document"], newest["active_version"]) == ({"region": "ap"}, 1)

    moves = await config_moves(owner_sessions, tenant.tenant_id)
    assert moves[-1] == ("config.activate", 3, 1, "eu is back")

    # The version already active: 200, nothing written, nothing audited.
    again = await activate(api, "routing", {"version": 1})
    assert again.status_code == 200, again.text
    assert (again.json()["version"], again.json()["active_version"]) == (1, 1)
    assert await config_moves(owner_sessions, tenant.tenant_id) == moves


async def test_rollback_returns_to_the_previously_active_version_and_a_second_undoes_it(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS[:2])
    back = await rollback(api, "routing", reason="v2 broke routing")
    assert back.status_code == 200, back.text
    assert (back.json()["active_version"], back.json()["document"]) == (1, {"region": "eu"})
    assert (await api.call("GET", "/configs/routing")).json()["version"] == 1

    # "Before" is the previous activation, not the number below: 3 -> 1 -> back to 3.
    await api.write("PUT", "/configs/routing", {"document": DOCUMENTS[2]})
    assert (await activate(api, "routing", {"version": 1})).json()["active_version"] == 1
    undone = await rollback(api, "routing")
    assert (undone.status_code, undone.json()["active_version"]) == (200, 3)
    # A rollback is a move too: the next one undoes it.
    redone = await rollback(api, "routing")
    assert (redone.status_code, redone.json()["active_version"]) == (200, 1)

    moves = await config_moves(owner_sessions, tenant.tenant_id)
    assert [(a, b, c) for a, b, c, _ in moves] == [
        ("config.create", None, 1),
        ("config.update", 1, 2),
        ("config.rollback", 2, 1),
        ("config.update", 1, 3),
        ("config.activate", 3, 1),
        ("config.rollback", 1, 3),
        ("config.rollback", 3, 1),
    ]
    assert moves[2][3] == "v2 broke routing"


async def test_a_config_with_nothing_earlier_cannot_roll_back(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS[:1])
    refused = await rollback(api, "routing")
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["active_version"] == 1
    assert [m[0] for m in await config_moves(owner_sessions, tenant.tenant_id)] == ["config.create"]


async def test_unknown_configs_404_and_unknown_versions_422_at_version(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await activate(api, "nope", {"version": 1})).status_code == 404
    assert (await rollback(api, "nope")).status_code == 404

    await with_versions(api, "routing", DOCUMENTS[:2])
    unknown = await activate(api, "routing", {"version": 9})
    assert unknown.status_code == 422, unknown.text
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert [e["key"] for e in unknown.json()["errors"]] == ["/version"]

    for bad in ({"version": 0}, {}, {"version": "one"}, {"version": 1, "extra": True}):
        assert (await activate(api, "routing", bad)).status_code == 400, bad
    no_reason = await api.call("POST", "/configs/routing/activate", json={"version": 1})
    assert no_reason.status_code == 400
    assert (await api.call("POST", "/configs/routing/rollback")).status_code == 400
    assert (await api.call("GET", "/configs/routing")).json()["active_version"] == 2


async def test_expected_active_version_makes_a_move_a_compare_and_set(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS)
    stale = await activate(api, "routing", {"version": 1, "expected_active_version": 2})
    assert stale.status_code == 409, stale.text
    assert stale.json()["active_version"] == 3
    fresh = await activate(api, "routing", {"version": 1, "expected_active_version": 3})
    assert (fresh.status_code, fresh.json()["active_version"]) == (200, 1)
    # Retrying the same activation finds what it asked for: a no-op, not a conflict.
    retried = await activate(api, "routing", {"version": 1, "expected_active_version": 3})
    assert (retried.status_code, retried.json()["active_version"]) == (200, 1)

    assert (await rollback(api, "routing", expected_active_version=3)).status_code == 409
    back = await rollback(api, "routing", expected_active_version=1)
    assert (back.status_code, back.json()["active_version"]) == (200, 3)


async def test_a_read_only_auditor_cannot_activate_or_roll_back(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await with_versions(await operator_api(http, stack, tenant), "routing", DOCUMENTS[:2])
    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    api = Api(http, base, await fetch_token(http, base, auditor.client_id, auditor.client_secret))
    assert (await activate(api, "routing", {"version": 1})).status_code == 403
    assert (await rollback(api, "routing")).status_code == 403
    assert (await api.call("GET", "/configs/routing")).json()["active_version"] == 2


async def test_put_compares_with_the_active_version_not_the_latest(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS[:2])
    assert (await rollback(api, "routing")).json()["active_version"] == 1
    before = await config_moves(owner_sessions, tenant.tenant_id)

    # Equal to the active version: nothing changes.
    same = await api.write("PUT", "/configs/routing", {"document": DOCUMENTS[0]})
    assert (same.json()["version"], same.json()["latest_version"]) == (1, 2)
    assert await config_moves(owner_sessions, tenant.tenant_id) == before

    # Equal to an older, inactive version: a new version, active (numbers are never reused).
    newer = await api.write("PUT", "/configs/routing", {"document": DOCUMENTS[1]})
    body = newer.json()
    assert (body["version"], body["active_version"], body["latest_version"]) == (3, 3, 3)
    moves = await config_moves(owner_sessions, tenant.tenant_id)
    assert moves[-1][:3] == ("config.update", 1, 3)


async def test_an_export_carries_the_active_version_and_reimports_as_a_no_op(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS)
    assert (await activate(api, "routing", {"version": 2})).status_code == 200
    exported = (await api.call("GET", "/bundles/export")).json()
    assert exported["configs"] == [{"name": "routing", "document": {"region": "us"}}]
    moves = await config_moves(owner_sessions, tenant.tenant_id)

    report = await api.write("POST", "/bundles/import", exported)
    assert report.status_code == 200, report.text
    assert report.json()["changed"] == 0
    after = (await api.call("GET", "/configs/routing")).json()
    assert (after["active_version"], after["latest_version"]) == (2, 3)
    assert await config_moves(owner_sessions, tenant.tenant_id) == moves


async def test_moves_are_announced_with_the_workspace_id_only(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, settings: CoreSettings
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS[:2])
    redis = Redis.from_url(settings.redis.require_url())
    try:
        async with redis.pubsub() as pubsub:
            await pubsub.subscribe(config_channel(settings.redis.namespace))
            for move in (activate(api, "routing", {"version": 1}), rollback(api, "routing")):
                assert (await move).status_code == 200
                assert await next_notice(pubsub, tenant.tenant_id) == str(tenant.tenant_id)
    finally:
        await redis.aclose()


async def next_notice(pubsub: Any, tenant_id: uuid.UUID) -> str:
    """The next notice naming ``tenant_id`` (other tests' tenants may publish too)."""
    async with asyncio.timeout(5):
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None and message["data"].decode() == str(tenant_id):
                return str(message["data"].decode())


async def test_a_move_waits_for_a_concurrent_one_and_sees_its_result(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_versions(api, "routing", DOCUMENTS)

    async def while_another_moves_the_pointer(
        request: Coroutine[Any, Any, httpx.Response],
    ) -> httpx.Response:
        """Run ``request`` while another transaction holds the config row and moves it to 1."""
        async with app_sessions() as session, session.begin():
            await set_tenant(session, tenant.tenant_id)
            config = await session.scalar(
                select(Config).where(Config.name == "routing").with_for_update()
            )
            assert config is not None
            config.active_version = 1
            await session.flush()
            pending = asyncio.ensure_future(request)
            await asyncio.sleep(0.5)
            assert not pending.done(), "the request did not wait for the row lock"
        return await pending

    # A compare-and-set made against the pointer as it was: refused once the move commits.
    cas = activate(api, "routing", {"version": 2, "expected_active_version": 3})
    refused = await while_another_moves_the_pointer(cas)
    assert refused.status_code == 409, refused.text
    assert refused.json()["active_version"] == 1

    # A PUT compares with the version the concurrent move made active (1: eu), so no-op.
    await activate(api, "routing", {"version": 3})
    put = api.write("PUT", "/configs/routing", {"document": DOCUMENTS[0]})
    same = await while_another_moves_the_pointer(put)
    assert same.status_code == 200, same.text
    assert (same.json()["version"], same.json()["latest_version"]) == (1, 3)
