"""Webhook test support: stored deliveries as the ingress writes them, and source set-up.

``store_delivery`` writes what the webhook-ingress writes for a verified delivery (one
``webhook_inbox`` row, ``received``, with its ``route_webhook`` outbox row, in one
transaction of the source's workspace), reading the dedupe id, event type and routing
values with the provider table's own extraction, as ``Verified`` carries them.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import msgspec
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import SILENT
from orchestrator.core.outbox import writer as outbox
from orchestrator.core.outbox.kinds import ROUTE_WEBHOOK
from orchestrator.core.webhooks.fields import body_digest, decode_body, pick
from orchestrator.core.webhooks.headers import keep_headers, stored_headers
from orchestrator.core.webhooks.models import WebhookInboxEntry
from orchestrator.core.webhooks.providers import resolve
from orchestrator.core.webhooks.routing_keys import routing_keys
from orchestrator.core.webhooks.sign import sign
from tests.support.control_api import Api

JSON = {"content-type": "application/json"}
STRIPE_SECRET = "whsec_ingress_test_secret"
SOURCES = "/webhooks/sources"


def slack_event(channel: str, *, team: str = "T1", kind: str = "message", **event: Any) -> bytes:
    """An Events API ``event_callback`` body (a fresh ``event_id`` each time)."""
    return msgspec.json.encode(
        {
            "type": "event_callback",
            "team_id": team,
            "api_app_id": "A1",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event": {"type": kind, "channel": channel, **event},
        }
    )


async def store_delivery(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    source_id: uuid.UUID,
    provider: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    route_messages: int = 1,
) -> uuid.UUID:
    """A verified delivery in the inbox, with ``route_messages`` outbox rows (two: as if the
    broker redelivered); its id."""
    sent = {name.lower(): value for name, value in (headers or JSON).items()}
    spec = resolve(provider)
    doc = decode_body(body, sent.get("content-type"))
    entry_id = uuid.uuid4()
    async with tenant_transaction(sessions, tenant_id) as session:
        await session.execute(
            insert(WebhookInboxEntry).values(
                id=entry_id,
                tenant_id=tenant_id,
                source_id=source_id,
                provider=provider,
                dedupe_id=pick(spec.dedupe, sent, doc) or body_digest(body),
                event_type=pick(spec.event_type, sent, doc),
                routing=routing_keys(spec.routing, sent, doc),
                headers=keep_headers(sent, stored_headers(spec)),
                body=body,
                status="received",
            )
        )
        for _ in range(route_messages):
            await outbox.enqueue(
                session,
                SILENT,
                workspace_id=tenant_id,
                kind=ROUTE_WEBHOOK,
                payload={"tenant_id": str(tenant_id), "inbox_id": str(entry_id)},
            )
    return entry_id


async def secret_ref(api: Api, name: str, **params: Any) -> None:
    """A secret ref a source can name (its value is never read by these tests)."""
    made = await api.write(
        "POST", "/secret-refs", {"name": name, "ref": "env://ORCH_TENANT_SECRET_UNUSED"}, **params
    )
    assert made.status_code == 201, made.text


async def slack_source(
    api: Api, name: str, routing: dict[str, list[str]], **params: Any
) -> httpx.Response:
    """``POST /webhooks/sources`` of a Slack source claiming ``routing``."""
    await secret_ref(api, f"{name}-secret", **params)
    source = {
        "name": name,
        "provider": "slack",
        "secret_refs": [f"{name}-secret"],
        "routing": routing,
    }
    return await api.write("POST", SOURCES, source, **params)


async def bind(api: Api, source_id: str, binding: dict[str, Any], **params: Any) -> str:
    """A binding of the source; its id."""
    made = await api.write("POST", f"/webhooks/sources/{source_id}/bindings", binding, **params)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def stored_secret(api: Api, name: str, value: str) -> None:
    """A ``db://`` secret ref holding ``value`` (sealed by the control-api)."""
    created = await api.write("POST", "/secret-refs", {"name": name, "ref": "db://"})
    assert created.status_code == 201, created.text
    stored = await api.write("PUT", f"/secret-refs/{name}/value", {"value": value})
    assert stored.status_code == 204, stored.text


async def new_source(api: Api, provider: str, secret_refs: list[str], **fields: Any) -> str:
    """A source through the control-api; its id."""
    body = {"name": f"src-{uuid.uuid4().hex[:8]}", "provider": provider}
    created = await api.write("POST", SOURCES, body | {"secret_refs": secret_refs} | fields)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def stripe_source(api: Api, **fields: Any) -> str:
    """A Stripe source signed with ``STRIPE_SECRET``."""
    name = f"stripe-{uuid.uuid4().hex[:6]}"
    await stored_secret(api, name, STRIPE_SECRET)
    return await new_source(api, "stripe", [name], **fields)


def stripe_event(event_id: str | None = None, **fields: Any) -> bytes:
    """A Stripe event body (compact JSON, as Stripe sends it)."""
    event = {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "charge.succeeded",
        "account": "acct_1",
    }
    return msgspec.json.encode(event | fields)


def stripe_headers(
    body: bytes, *, secret: str = STRIPE_SECRET, at: int | None = None
) -> dict[str, str]:
    """The headers Stripe would send with ``body``, signed at ``at`` (default now)."""
    return JSON | sign("stripe", body, secret, timestamp=int(time.time()) if at is None else at)
