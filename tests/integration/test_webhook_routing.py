"""Stored webhook events routed by the real worker (ADR 0036): claims within the
organization, jobs and signed forwards of the target workspace, the inbox API, retries.

Each event is stored as the ingress stores it (``tests/support/webhooks.py``); the
session's worker relays its ``route_webhook`` row and routes it.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.callbacks.delivery import signing_keys
from orchestrator.core.callbacks.signing import verify
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import set_tenant, tenant_transaction
from orchestrator.core.events.wake import SILENT
from orchestrator.core.jobs.models import Job
from orchestrator.core.models import AuditLog
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import router
from orchestrator.core.webhooks.inbox_repository import Outcome
from orchestrator.core.webhooks.models import WebhookForward, WebhookRoute
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor, new_tenant
from tests.support.jobs import exec_headers
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import bind, slack_event, slack_source, store_delivery

pytestmark = pytest.mark.integration

INBOX = "/webhooks/inbox"
SOURCES = "/webhooks/sources"
MAPPING = {"channel": "/event/channel", "text": "/event/text"}
WAIT_S = 20.0


def ws(tenant: BootstrapResult) -> dict[str, str]:
    """The ``workspace`` query parameter naming ``tenant``."""
    return {"workspace": str(tenant.tenant_id)}


@dataclass
class Org:
    """Two workspaces of one organization and its admin operator (homed in ``a``)."""

    api: Api
    a: BootstrapResult
    b: BootstrapResult


@pytest.fixture
async def org(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> Org:
    name = f"org-{uuid.uuid4().hex[:8]}"
    a = await new_tenant(app_sessions, kek, org=name)
    b = await new_tenant(app_sessions, kek, org=name)  # the same operator, a fresh secret
    return Org(await operator_api(http, stack, b), a, b)


async def connector(api: Api, upstream: UpstreamServer, prefix: str, **params: Any) -> str:
    """A connector whose ``notify`` POSTs its payload to ``/<prefix>/<channel>``."""
    name = f"c-{uuid.uuid4().hex[:8]}"
    config = {
        "base_url": f"{upstream.url}/{prefix}",
        "operations": {"notify": {"method": "POST", "path": "/{channel}"}},
    }
    made = await api.write(
        "POST", "/connectors", {"name": name, "type": "http", "config": config}, **params
    )
    assert made.status_code == 201, made.text
    return name


def job_binding(connector_name: str, **extra: Any) -> dict[str, Any]:
    return {
        "action": "job",
        "connector": connector_name,
        "operation": "notify",
        "payload_mapping": MAPPING,
    } | extra


async def source(api: Api, name: str, routing: dict[str, list[str]], **params: Any) -> str:
    made = await slack_source(api, name, routing, **params)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def eventually(check: Callable[[], Awaitable[bool]], what: str, stack: Stack) -> None:
    """Wait until ``check`` holds, or fail with the worker's log."""
    deadline = time.monotonic() + WAIT_S
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} did not happen:\n{stack.services['worker'].log()[-5000:]}"
            )
        await asyncio.sleep(0.05)


async def settled(
    api: Api, stack: Stack, inbox_id: uuid.UUID, tenant: BootstrapResult
) -> dict[str, Any]:
    """The inbox entry once the worker has routed it (status no longer ``received``)."""
    seen: dict[str, Any] = {}

    async def routed() -> bool:
        got = await api.call("GET", f"{INBOX}/{inbox_id}", params=ws(tenant))
        assert got.status_code == 200, got.text
        seen.update(got.json())
        return bool(seen["status"] != "received")

    await eventually(routed, f"routing of {inbox_id}", stack)
    return seen


async def test_events_of_one_slack_app_land_in_the_workspace_claiming_their_channel(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    org: Org,
    upstream: UpstreamServer,
) -> None:
    api, a, b = org.api, org.a, org.b
    prefix = uuid.uuid4().hex[:8]
    # The Slack app delivers to A's source; A claims the team, B one of its channels.
    app = await source(api, "slack-app", {"team_id": ["T1"], "channel": ["CA"]}, **ws(a))
    b_source = await source(api, "slack-b", {"channel": ["CB"]}, **ws(b))
    await bind(
        api, app, job_binding(await connector(api, upstream, f"a{prefix}", **ws(a))), **ws(a)
    )
    b_connector = await connector(api, upstream, f"b{prefix}", **ws(b))
    await bind(api, b_source, job_binding(b_connector), **ws(b))

    texts = {"CA": "for a", "CB": "for b", "CX": "team fallback"}
    events = {
        channel: await store_delivery(
            app_sessions, a.tenant_id, uuid.UUID(app), "slack", slack_event(channel, text=text)
        )
        for channel, text in texts.items()
    }
    expected = {
        "CA": (a, app, f"/a{prefix}/CA"),
        "CB": (b, b_source, f"/b{prefix}/CB"),
        "CX": (a, app, f"/a{prefix}/CX"),  # no channel claim: the team's claim takes it
    }
    for channel, (tenant, source_id, path) in expected.items():
        entry = await settled(api, stack, events[channel], a)
        assert entry["status"] == "routed", entry
        assert (entry["routed_workspace_id"], entry["routed_source_id"]) == (
            str(tenant.tenant_id),
            source_id,
        )
        assert (entry["actions"], entry["attempts"], entry["last_error"]) == (1, 1, None)
        assert await upstream.until_calls(1, path, wait_s=WAIT_S) == 1
        sent = upstream.last_request(path).json()
        assert sent == {"channel": channel, "text": texts[channel]}

    # The job of the CB event belongs to B; A never sees it.
    b_jobs = await http.get(
        f"{stack.url('exec-api')}/api/v1/jobs", headers=await exec_headers(http, stack, b)
    )
    assert [(j["connector"], j["payload"]) for j in b_jobs.json()["items"]] == [
        (b_connector, {"channel": "CB", "text": "for b"})
    ]
    a_jobs = await http.get(
        f"{stack.url('exec-api')}/api/v1/jobs", headers=await exec_headers(http, stack, a)
    )
    assert sorted(j["payload"]["channel"] for j in a_jobs.json()["items"]) == ["CA", "CX"]
    # The inbox stays the receiving workspace's: B's lists none of these events.
    b_inbox = await api.call("GET", INBOX, params=ws(b))
    assert b_inbox.json()["items"] == []


async def test_an_unclaimed_event_is_kept_unrouted_and_retried_once_a_claim_exists(
    stack: Stack,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    org: Org,
    upstream: UpstreamServer,
) -> None:
    api, a = org.api, org.a
    prefix = uuid.uuid4().hex[:8]
    app = await source(api, "slack-app", {"channel": ["CA"]}, **ws(a))
    await bind(api, app, job_binding(await connector(api, upstream, prefix, **ws(a))), **ws(a))
    first, *rest = [
        await store_delivery(app_sessions, a.tenant_id, uuid.UUID(app), "slack", slack_event("CZ"))
        for _ in range(3)
    ]
    for inbox_id in (first, *rest):
        entry = await settled(api, stack, inbox_id, a)
        assert (entry["status"], entry["routed_workspace_id"], entry["actions"]) == (
            "unrouted",
            None,
            0,
        )
    listed = await api.call("GET", INBOX, params={"status": "unrouted", "source_id": app})
    assert {item["id"] for item in listed.json()["items"]} == {str(i) for i in (first, *rest)}
    assert (await api.call("GET", INBOX, params={"status": "routed"})).json()["items"] == []
    assert upstream.calls(f"/{prefix}/CZ") == 0

    # A claim on the channel appears; one retry, then a filtered retry of the rest.
    claimed = await api.write(
        "PUT",
        f"{SOURCES}/{app}",
        {
            "name": "slack-app",
            "provider": "slack",
            "secret_refs": ["slack-app-secret"],
            "routing": {"channel": ["CA", "CZ"]},
        },
    )
    assert claimed.status_code == 200, claimed.text
    retried = await api.write("POST", f"{INBOX}/{first}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "received"
    entry = await settled(api, stack, first, a)
    assert (entry["status"], entry["attempts"], entry["actions"]) == ("routed", 2, 1)
    again = await api.write("POST", f"{INBOX}/{first}/retry")
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"

    many = await api.write("POST", f"{INBOX}/retry", {"status": ["unrouted"], "source_id": app})
    assert many.status_code == 202, many.text
    assert many.json()["retried"] == 2
    assert set(many.json()["ids"]) == {str(i) for i in rest}
    for inbox_id in rest:
        assert (await settled(api, stack, inbox_id, a))["status"] == "routed"
    assert await upstream.until_calls(3, f"/{prefix}/CZ", wait_s=WAIT_S) == 3
    nothing = await api.write("POST", f"{INBOX}/retry", {})
    assert nothing.json() == {"retried": 0, "ids": []}

    async with owner_sessions() as session, session.begin():
        await set_tenant(session, a.tenant_id)
        actions = list(
            await session.scalars(
                select(AuditLog.action)
                .where(AuditLog.tenant_id == a.tenant_id, AuditLog.action.like("webhook_inbox%"))
                .order_by(AuditLog.id)
            )
        )
    assert actions == ["webhook_inbox.retry", "webhook_inbox.retry_many"]


async def test_an_event_no_binding_takes_is_ignored(
    stack: Stack,
    app_sessions: async_sessionmaker[AsyncSession],
    org: Org,
    upstream: UpstreamServer,
) -> None:
    api, a = org.api, org.a
    prefix = uuid.uuid4().hex[:8]
    own = await source(api, "slack-own", {}, **ws(a))  # claims nothing: takes its own events
    name = await connector(api, upstream, prefix, **ws(a))
    await bind(api, own, job_binding(name, event_types=["app_mention"]), **ws(a))

    chatter = await store_delivery(
        app_sessions, a.tenant_id, uuid.UUID(own), "slack", slack_event("C1", kind="message")
    )
    mention = await store_delivery(
        app_sessions, a.tenant_id, uuid.UUID(own), "slack", slack_event("C1", kind="app_mention")
    )
    ignored = await settled(api, stack, chatter, a)
    assert (ignored["status"], ignored["routed_source_id"], ignored["actions"]) == (
        "ignored",
        own,
        0,
    )
    assert ignored["event_type"] == "message"
    assert (await settled(api, stack, mention, a))["status"] == "routed"
    listed = await api.call("GET", INBOX, params={"status": "ignored", "event_type": "message"})
    assert [item["id"] for item in listed.json()["items"]] == [str(chatter)]
    assert await upstream.until_calls(1, f"/{prefix}/C1", wait_s=WAIT_S) == 1


async def test_a_forward_is_signed_with_the_workspace_secret_and_retried_after_a_500(
    stack: Stack,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    org: Org,
    upstream: UpstreamServer,
) -> None:
    api, a = org.api, org.a
    path = f"/hooks/{uuid.uuid4().hex[:8]}"
    own = await source(api, "slack-own", {}, **ws(a))
    await bind(api, own, {"action": "forward", "forward_url": f"{upstream.url}{path}"}, **ws(a))
    upstream.fail(path, status=500, times=1)
    body = slack_event("C1", text="forward me")

    inbox_id = await store_delivery(app_sessions, a.tenant_id, uuid.UUID(own), "slack", body)
    entry = await settled(api, stack, inbox_id, a)
    assert (entry["status"], entry["actions"]) == ("routed", 1)
    assert await upstream.until_calls(2, path, wait_s=WAIT_S) == 2

    async with tenant_transaction(app_sessions, a.tenant_id) as session:
        [secret] = await signing_keys(session, KeyRing(kek))
    sent = upstream.requests(path)
    for request in sent:
        headers = {name.lower(): value for name, value in request.headers.items()}
        assert request.body == body  # the raw bytes the provider sent
        assert headers["content-type"] == "application/json"
        assert verify(secret, headers, request.body, now=time.time())
    ids = {r.headers.get("webhook-id") or r.headers.get("Webhook-Id") for r in sent}
    assert len(ids) == 1  # one id across retries, so the receiver can dedupe

    async def delivered() -> bool:
        async with tenant_transaction(app_sessions, a.tenant_id) as session:
            row = await session.scalar(
                select(WebhookForward).where(WebhookForward.inbox_id == inbox_id)
            )
        return row is not None and row.state == "delivered"

    await eventually(delivered, "the forward's delivery", stack)
    async with tenant_transaction(app_sessions, a.tenant_id) as session:
        row = await session.scalar(
            select(WebhookForward).where(WebhookForward.inbox_id == inbox_id)
        )
    assert row is not None
    assert (row.attempts, row.last_status, row.last_error) == (2, 200, None)
    assert upstream.calls(path) == 2


async def routes_of(
    owner_sessions: async_sessionmaker[AsyncSession], source_id: str
) -> list[tuple[str, str]]:
    async with owner_sessions() as session:
        rows = await session.scalars(
            select(WebhookRoute).where(WebhookRoute.source_id == uuid.UUID(source_id))
        )
        return sorted((r.key, r.value) for r in rows)


async def test_a_value_is_claimed_once_per_organization_and_independently_across_them(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    org: Org,
    other_tenant: BootstrapResult,
    upstream: UpstreamServer,
) -> None:
    api, a, b = org.api, org.a, org.b
    prefix = uuid.uuid4().hex[:8]
    app = await source(api, "slack-app", {"channel": ["CA", "CA"]}, **ws(a))
    assert await routes_of(owner_sessions, app) == [("channel", "CA")]

    refused = await slack_source(api, "slack-b", {"channel": ["CB", "CA"]}, **ws(b))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert "`channel` = `CA`" in problem["detail"]
    assert problem["claims"] == [{"key": "channel", "value": "CA", "workspace": str(a.tenant_id)}]
    b_source = await source(api, "slack-b2", {"channel": ["CB"]}, **ws(b))
    taking = {
        "name": "slack-b2",
        "provider": "slack",
        "secret_refs": ["slack-b2-secret"],
        "routing": {"channel": ["CB", "CA"]},
    }
    assert (await api.write("PUT", f"{SOURCES}/{b_source}", taking, **ws(b))).status_code == 409
    assert await routes_of(owner_sessions, b_source) == [("channel", "CB")]

    # Another organization claims the same value for itself, and routing does not mix.
    other_api = await operator_api(http, stack, other_tenant)
    foreign = await source(other_api, "slack-app", {"channel": ["CA"]})
    await bind(
        api, app, job_binding(await connector(api, upstream, f"a{prefix}", **ws(a))), **ws(a)
    )
    await bind(other_api, foreign, job_binding(await connector(other_api, upstream, f"x{prefix}")))
    ours = await store_delivery(
        app_sessions, a.tenant_id, uuid.UUID(app), "slack", slack_event("CA")
    )
    theirs = await store_delivery(
        app_sessions, other_tenant.tenant_id, uuid.UUID(foreign), "slack", slack_event("CA")
    )
    assert (await settled(api, stack, ours, a))["routed_workspace_id"] == str(a.tenant_id)
    assert (await settled(other_api, stack, theirs, other_tenant))["routed_workspace_id"] == str(
        other_tenant.tenant_id
    )
    assert await upstream.until_calls(1, f"/a{prefix}/CA", wait_s=WAIT_S) == 1
    assert await upstream.until_calls(1, f"/x{prefix}/CA", wait_s=WAIT_S) == 1

    # Deleting a source frees its claims for the organization.
    assert (await api.write("DELETE", f"{SOURCES}/{app}", **ws(a))).status_code == 204
    assert await routes_of(owner_sessions, app) == []
    assert (await api.write("PUT", f"{SOURCES}/{b_source}", taking, **ws(b))).status_code == 200
    assert await routes_of(owner_sessions, b_source) == [("channel", "CA"), ("channel", "CB")]


async def test_a_binding_whose_connector_is_disabled_fails_the_event_until_it_is_retried(
    stack: Stack,
    app_sessions: async_sessionmaker[AsyncSession],
    org: Org,
    upstream: UpstreamServer,
) -> None:
    api, a = org.api, org.a
    prefix = uuid.uuid4().hex[:8]
    own = await source(api, "slack-own", {}, **ws(a))
    name = await connector(api, upstream, prefix, **ws(a))
    await bind(api, own, job_binding(name), **ws(a))
    # A bound connector cannot be deleted (409), but it can be disabled.
    assert (await api.write("DELETE", f"/connectors/{name}", **ws(a))).status_code == 409
    config = {
        "type": "http",
        "config": {
            "base_url": f"{upstream.url}/{prefix}",
            "operations": {"notify": {"method": "POST", "path": "/{channel}"}},
        },
    }
    off = await api.write("PUT", f"/connectors/{name}", config | {"enabled": False}, **ws(a))
    assert off.status_code == 200, off.text

    inbox_id = await store_delivery(
        app_sessions, a.tenant_id, uuid.UUID(own), "slack", slack_event("C1")
    )
    failed = await settled(api, stack, inbox_id, a)
    assert (failed["status"], failed["actions"]) == ("failed", 0)
    assert failed["last_error"].startswith("validation-failed:")
    assert name in failed["last_error"]

    on = await api.write("PUT", f"/connectors/{name}", config | {"enabled": True}, **ws(a))
    assert on.status_code == 200, on.text
    assert (await api.write("POST", f"{INBOX}/{inbox_id}/retry", **ws(a))).status_code == 202
    routed = await settled(api, stack, inbox_id, a)
    assert (routed["status"], routed["last_error"], routed["attempts"]) == ("routed", None, 2)
    assert await upstream.until_calls(1, f"/{prefix}/C1", wait_s=WAIT_S) == 1


def skipped_routes(metrics: str) -> float:
    found = re.search(
        r'^orchestrator_webhook_route_messages_total\{status="skipped"\} (\S+)$', metrics, re.M
    )
    return float(found.group(1)) if found else 0.0


async def route_alone(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, inbox_id: uuid.UUID
) -> Outcome | None:
    """Route one event as the actor would (in a transaction of its own); its outcome."""
    async with tenant_transaction(sessions, tenant_id) as session:
        outcomes = await router.route_many(
            session, SILENT, tenant_id, [inbox_id], network=NetworkPolicy()
        )
    return outcomes.get(inbox_id)


async def test_a_redelivered_route_message_starts_nothing_twice(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    org: Org,
    upstream: UpstreamServer,
) -> None:
    api, a = org.api, org.a
    prefix = uuid.uuid4().hex[:8]
    own = await source(api, "slack-own", {}, **ws(a))
    name = await connector(api, upstream, prefix, **ws(a))
    await bind(api, own, job_binding(name), **ws(a))
    metrics = f"{stack.url('worker')}/metrics"
    before = skipped_routes((await http.get(metrics)).text)

    inbox_id = await store_delivery(
        app_sessions, a.tenant_id, uuid.UUID(own), "slack", slack_event("C1"), route_messages=2
    )
    assert (await settled(api, stack, inbox_id, a))["status"] == "routed"

    async def second_message_handled() -> bool:
        return skipped_routes((await http.get(metrics)).text) > before

    await eventually(second_message_handled, "the duplicate message", stack)
    # The same message again, in process: the event is no longer waiting.
    assert await route_alone(app_sessions, a.tenant_id, inbox_id) is None

    async def job_finished() -> bool:
        async with tenant_transaction(app_sessions, a.tenant_id) as session:
            jobs = list(await session.scalars(select(Job).where(Job.connector == name)))
        return len(jobs) == 1 and jobs[0].status.value == "succeeded"

    await eventually(job_finished, "the one job", stack)
    assert upstream.calls(f"/{prefix}/C1") == 1
    entry = await settled(api, stack, inbox_id, a)
    assert (entry["attempts"], entry["actions"]) == (1, 1)


async def test_the_inbox_pages_newest_first_filters_and_shows_the_raw_body(
    stack: Stack,
    http: httpx.AsyncClient,
    app_sessions: async_sessionmaker[AsyncSession],
    org: Org,
) -> None:
    api, a = org.api, org.a
    own = await source(api, "slack-own", {}, **ws(a))  # no bindings: every event is ignored
    bodies = [slack_event("C1", text=f"n{i}") for i in range(3)]
    ids = [
        await store_delivery(app_sessions, a.tenant_id, uuid.UUID(own), "slack", body)
        for body in bodies
    ]
    for inbox_id in ids:
        await settled(api, stack, inbox_id, a)

    first = await api.call("GET", INBOX, params={"limit": 2, "source_id": own})
    assert first.status_code == 200, first.text
    page = first.json()
    assert [item["id"] for item in page["items"]] == [str(ids[2]), str(ids[1])]
    assert "body_base64" not in page["items"][0]
    rest = await api.call("GET", INBOX, params={"limit": 2, "cursor": page["next_cursor"]})
    assert [item["id"] for item in rest.json()["items"]] == [str(ids[0])]
    assert rest.json()["next_cursor"] is None

    received_at = page["items"][1]["received_at"]  # the second event's
    older = await api.call("GET", INBOX, params={"received_before": received_at})
    assert [item["id"] for item in older.json()["items"]] == [str(ids[0])]
    newer = await api.call("GET", INBOX, params={"received_after": received_at})
    assert [item["id"] for item in newer.json()["items"]] == [str(ids[2])]
    for bad in ({"cursor": "nope"}, {"received_after": "0.5"}, {"received_after": "2026-01-01"}):
        refused = await api.call("GET", INBOX, params=bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"

    detail = (await api.call("GET", f"{INBOX}/{ids[0]}")).json()
    assert base64.b64decode(detail["body_base64"]) == bodies[0]
    assert (detail["provider"], detail["event_type"], detail["body_bytes"]) == (
        "slack",
        "message",
        len(bodies[0]),
    )
    assert detail["routing"] == {"team_id": "T1", "api_app_id": "A1", "channel": "C1"}
    assert detail["headers"] == {"content-type": "application/json"}
    assert (await api.call("GET", f"{INBOX}/{uuid.uuid4()}")).status_code == 404

    # An auditor reads the inbox but cannot send events back.
    auditor = await new_auditor(app_sessions, a)
    token = await fetch_token(
        http, stack.url("control-api"), auditor.client_id, auditor.client_secret
    )
    reader = Api(http, stack.url("control-api"), token)
    assert (await reader.call("GET", INBOX)).status_code == 200
    assert (await reader.write("POST", f"{INBOX}/{ids[0]}/retry")).status_code == 403
    assert (await reader.write("POST", f"{INBOX}/retry", {})).status_code == 403
    assert (await api.write("POST", f"{INBOX}/retry", {"status": ["routed"]})).status_code == 400
    # A bare number is no instant in a body either (a lenient decoder reads a Unix time).
    for bad_instant in (0, "0", "2026-01-01", "2026-01-01T00:00:00"):
        body = {"received_after": bad_instant}
        refused = await api.write("POST", f"{INBOX}/retry", body)
        assert refused.status_code == 400, (bad_instant, refused.text)
