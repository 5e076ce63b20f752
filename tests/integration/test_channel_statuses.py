"""The orchestrator's own statuses on a workspace's channel: a breaker opening and closing
(posted by the exec-api), the DLQ reaching its threshold (the worker), a configuration
version activated or rolled back (the control-api), and the assistant's answer to
"status?"; every watcher sees them live."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import Member, Watcher, operator_member
from tests.support.execution import caller, problem
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

BREAKER = {
    "window_size": 4,
    "minimum_calls": 4,
    "failure_rate_threshold": 50,
    "wait_open_s": 0.5,
    "half_open_calls": 1,
}


async def admin_of(http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult) -> Member:
    return await operator_member(
        http, stack.url("control-api"), tenant.control_client_id, tenant.control_client_secret
    )


async def next_status(watcher: Watcher, within_s: float = 10.0) -> dict[str, Any]:
    """The next ``status`` event's body."""
    body: dict[str, Any] = (await watcher.next("status", within_s)).json()
    assert body["actor"] == {"kind": "system", "name": "orchestrator"}
    return body


async def test_a_breaker_opening_and_closing_is_posted(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    admin = await admin_of(http, stack, tenant)
    client = await caller(http, stack, tenant)
    connector = await client.connector(upstream, {"retry": {"max_attempts": 1}, "breaker": BREAKER})
    async with admin.watching((await admin.open())["id"]) as watching:
        await watching.next("snapshot")
        upstream.fail(status=500, times=None)
        for _ in range(4):
            problem(await client.execute(connector), 502, "upstream-failed")
        opened = await next_status(watching)
        assert (opened["status"], opened["subject"]) == ("breaker_open", f"{connector}/charge")
        problem(await client.execute(connector), 503, "circuit-open")
        await asyncio.sleep(0.6)
        upstream.reset()
        assert (await client.execute(connector)).status_code == 200  # the probe closes it
        closed = await next_status(watching)
        assert (closed["status"], closed["subject"]) == ("breaker_closed", f"{connector}/charge")


async def test_the_dlq_reaching_its_threshold_is_posted_once(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    admin = await admin_of(http, stack, tenant)
    client = await caller(http, stack, tenant)
    connector = await client.connector(upstream, {"retry": {"max_attempts": 1}})
    upstream.fail(status=500, times=None)
    async with admin.watching((await admin.open())["id"]) as watching:
        await watching.next("snapshot")
        payload = {"id": "o-1", "amount": 5}
        jobs = [await client.submit_job(connector, "charge", payload) for _ in range(10)]
        ended = await asyncio.gather(*(client.finished_job(job) for job in jobs))
        assert {job["status"] for job in ended} == {"dead"}
        growing = await next_status(watching)
        assert growing["status"] == "dlq_growing"
        assert growing["figures"] == {"dead": 10, "threshold": 10}
        one_more = await client.submit_job(connector, "charge", payload)
        assert (await client.finished_job(one_more))["status"] == "dead"
        with contextlib.suppress(TimeoutError):
            again = await next_status(watching, within_s=1.0)
            raise AssertionError(f"posted again past the threshold: {again}")


async def test_a_version_activated_or_rolled_back_is_posted(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    admin = await admin_of(http, stack, tenant)
    client = await caller(http, stack, tenant)
    await client.connector(upstream)
    await client.policy({"retry": {"max_attempts": 2}})
    head = (await client.operator.call("GET", "/versions/head")).json()
    assert head["previous"] is not None, head
    async with admin.watching((await admin.open())["id"]) as watching:
        await watching.next("snapshot")
        back = await client.operator.write("POST", "/versions/rollback")
        assert back.status_code == 200, back.text
        rolled = await next_status(watching)
        assert rolled["status"] == "config_rolled_back"
        assert rolled["figures"] == {"version": back.json()["active"]}
        forward = await client.operator.write("POST", f"/versions/{head['active']}/activate")
        assert forward.status_code == 200, forward.text
        activated = await next_status(watching)
        assert activated["status"] == "config_activated"
        assert activated["figures"] == {"version": head["active"]}


async def test_the_assistant_answers_status_with_a_canned_summary(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    admin = await admin_of(http, stack, tenant)
    client = await caller(http, stack, tenant)
    await client.connector(upstream)
    head = (await client.operator.call("GET", "/versions/head")).json()
    session = await admin.open()
    async with admin.watching(session["id"]) as watching:
        await watching.next("snapshot")
        asked = await admin.act(session["id"], "ask_status")
        assert asked.status_code == 202, asked.text
        assert (await watching.next("action")).json()["action"] == "ask_status"
        answer = await next_status(watching)
        assert answer["status"] == "summary"
        assert answer["figures"] == {
            "queued": 0,
            "running": 0,
            "dead": 0,
            "active_version": head["active"],
            "sessions": 1,
        }
        # The same state, the same answer.
        await admin.act(session["id"], "ask_status")
        assert (await next_status(watching))["figures"] == answer["figures"]
