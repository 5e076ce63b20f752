"""Channel sessions: three a user and workspace, the oldest closed first, even under a race;
idle sessions expire; a closed session's stream ends."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from redis.asyncio import Redis

from orchestrator.core.channels.sessions import ChannelSessions
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import Member, operator_member
from tests.support.stack import Stack


async def admin_of(http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult) -> Member:
    return await operator_member(
        http, stack.url("control-api"), tenant.control_client_id, tenant.control_client_secret
    )


async def test_twenty_parallel_opens_by_one_user_leave_exactly_the_three_newest(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    opened = await asyncio.gather(*(admin.open() for _ in range(20)))
    in_order = sorted(opened, key=lambda o: o["sequence"])
    newest = [o["id"] for o in in_order[-3:]]
    closed = [c for o in opened for c in o["closed"]]
    assert sorted(closed) == sorted(o["id"] for o in in_order[:-3])
    assert len(set(closed)) == 17
    for session in in_order:
        answer = await admin.act(session["id"], "ready")
        assert answer.status_code == (202 if session["id"] in newest else 404), answer.text


async def test_a_fourth_session_closes_the_oldest_and_ends_its_stream(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    first, second, third = [await admin.open() for _ in range(3)]
    assert first["closed"] == second["closed"] == third["closed"] == []
    async with admin.watching(first["id"]) as oldest, admin.watching(third["id"]) as newer:
        assert oldest.status == 200
        await oldest.next("snapshot")
        await newer.next("snapshot")
        fourth = await admin.open()
        assert fourth["closed"] == [first["id"]]
        ended = await oldest.next("closed")
        assert ended.json()["closed"] == [first["id"]]
        await asyncio.wait_for(oldest.ended.wait(), 2)
        # The other streams stay, and see the presence change.
        presence = await newer.next("presence")
        assert presence.json()["sessions"] >= 3
        assert not newer.ended.is_set()
    refused = await admin.act(first["id"], "ready")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_closing_a_session_ends_it_and_only_its_owner_may(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    session = await admin.open()
    unknown = await admin.call("DELETE", "/sessions/not-a-session")
    assert unknown.status_code == 404
    closed = await admin.call("DELETE", f"/sessions/{session['id']}")
    assert closed.status_code == 204, closed.text
    assert (await admin.act(session["id"], "ready")).status_code == 404
    stream = await admin.call("GET", "/stream", params={"session": session["id"]})
    assert stream.status_code == 404


async def test_an_idle_session_expires(settings: CoreSettings) -> None:
    redis = Redis.from_url(settings.redis.require_url())
    try:
        sessions = ChannelSessions(redis, settings.redis.namespace, cap=3, idle_s=0.3)
        workspace = uuid.uuid4()
        kept = await sessions.open(workspace, "operator:alice")
        idle = await sessions.open(workspace, "operator:alice")
        for _ in range(4):
            await asyncio.sleep(0.1)
            assert await sessions.touch(workspace, "operator:alice", kept.session_id)
        assert not await sessions.touch(workspace, "operator:alice", idle.session_id)
        assert await sessions.active(workspace, "operator:alice") == [kept.session_id]
        assert await sessions.presence(workspace) == 1
        # Nobody else may renew or close a session.
        assert not await sessions.touch(workspace, "operator:bob", kept.session_id)
        assert not await sessions.close(workspace, "operator:bob", kept.session_id)
        await asyncio.sleep(0.4)
        assert await sessions.presence(workspace) == 0
    finally:
        await redis.aclose()
