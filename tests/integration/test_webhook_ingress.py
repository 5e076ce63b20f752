"""``POST /webhooks/{source_id}`` on the running webhook-ingress: verify, dedupe, store."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.events.wake import SILENT
from orchestrator.core.models import OutboxMessage
from orchestrator.core.outbox.kinds import ROUTE_WEBHOOK
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.inbox import Delivery, new_delivery
from orchestrator.core.webhooks.models import WebhookInboxEntry
from orchestrator.core.webhooks.sign import sign
from orchestrator.webhook_ingress.inbox import InboxWriter
from tests.support.control_api import Api, operator_api
from tests.support.metrics import scrape
from tests.support.stack import Stack
from tests.support.webhooks import (
    new_source,
    stored_secret,
    stripe_event,
    stripe_headers,
    stripe_source,
)

pytestmark = pytest.mark.integration

SOURCES = "/webhooks/sources"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
JSON = {"Content-Type": "application/json"}
Owner = async_sessionmaker[AsyncSession]
OUTCOMES = (
    *("accepted", "duplicate", "challenge"),
    *("unauthorized", "not_found", "too_large", "rate_limited"),
)


class Ingress:
    """The ingress as a provider (and an operator reading its metrics) sees it."""

    def __init__(self, http: httpx.AsyncClient, stack: Stack) -> None:
        self.http, self.base = http, stack.url("webhook-ingress")

    async def deliver(
        self, source_id: str, body: Any, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST one delivery (``body`` bytes or an async iterator: chunked)."""
        return await self.http.post(
            f"{self.base}/webhooks/{source_id}", content=body, headers=headers or {}
        )

    async def metric(self, name: str, **labels: str) -> float:
        """The value of one sample of ``/metrics`` (0 when absent)."""
        return await scrape(self.http, self.base, name, **labels) or 0.0

    async def outcomes(self, provider: str) -> dict[str, float]:
        """The delivery counter of ``provider`` by outcome."""
        return {
            outcome: await self.metric(
                "orchestrator_webhook_deliveries_total", provider=provider, outcome=outcome
            )
            for outcome in OUTCOMES
        }


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The outcomes that moved, and by how much."""
    return {key: after[key] - before[key] for key in after if after[key] != before[key]}


async def inbox_rows(owner: Owner, tenant_id: uuid.UUID, source_id: str) -> list[WebhookInboxEntry]:
    """The source's stored deliveries."""
    async with owner() as session, session.begin():
        await set_tenant(session, tenant_id)
        query = select(WebhookInboxEntry).where(WebhookInboxEntry.source_id == uuid.UUID(source_id))
        return list((await session.scalars(query)).all())


async def outbox_rows(owner: Owner, rows: list[WebhookInboxEntry]) -> list[OutboxMessage]:
    """The ``route_webhook`` messages naming any of ``rows``."""
    ids = [str(row.id) for row in rows]
    async with owner() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.kind == ROUTE_WEBHOOK, OutboxMessage.payload["inbox_id"].astext.in_(ids)
        )
        return list((await session.scalars(query)).all())


async def inbox_count(owner: Owner, tenant_id: uuid.UUID, source_id: str) -> int:
    async with owner() as session, session.begin():
        await set_tenant(session, tenant_id)
        query = select(func.count()).where(WebhookInboxEntry.source_id == uuid.UUID(source_id))
        return int(await session.scalar(query) or 0)


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    return await operator_api(http, stack, tenant)


@pytest.fixture
def ingress(stack: Stack, http: httpx.AsyncClient) -> Ingress:
    return Ingress(http, stack)


async def test_an_unknown_or_disabled_source_is_a_404_problem(api: Api, ingress: Ingress) -> None:
    disabled = await stripe_source(api, enabled=False)
    body = stripe_event()
    before = await ingress.outcomes("unknown")
    for source_id in (str(uuid.uuid4()), "not-a-uuid", disabled):
        response = await ingress.deliver(source_id, body, stripe_headers(body))
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not-found"
    assert delta(before, await ingress.outcomes("unknown")) == {"not_found": 3}


async def test_a_body_over_the_sources_limit_is_a_413_declared_or_streamed(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    source_id = await stripe_source(api, max_body_bytes=200)
    body = stripe_event(padding="x" * 300)
    before = await ingress.outcomes("stripe")
    declared = await ingress.deliver(source_id, body, stripe_headers(body))
    assert declared.status_code == 413, declared.text
    assert declared.json()["code"] == "payload-too-large"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked encoding
        # Over the limit only with the last chunk: the server answers once it read it all,
        # so the client is not cut off mid-send.
        yield body[:150]
        yield body[150:]

    streamed = await ingress.deliver(source_id, chunks(), stripe_headers(body))
    assert streamed.status_code == 413, streamed.text
    small = stripe_event()
    assert (await ingress.deliver(source_id, small, stripe_headers(small))).status_code == 200
    assert delta(before, await ingress.outcomes("stripe")) == {"too_large": 2, "accepted": 1}
    assert await inbox_count(owner_sessions, tenant.tenant_id, source_id) == 1


async def test_over_the_sources_rate_limit_is_a_429_with_retry_after(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    source_id = await stripe_source(api, rate_limit_per_s=2)
    bodies = [stripe_event() for _ in range(6)]
    statuses = []
    for body in bodies:
        response = await ingress.deliver(source_id, body, stripe_headers(body))
        statuses.append(response.status_code)
        if response.status_code == 429:
            refused = response
    assert statuses[:2] == [200, 200], statuses
    assert 429 in statuses, statuses
    assert refused.json()["code"] == "rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert await inbox_count(owner_sessions, tenant.tenant_id, source_id) == statuses.count(200)


async def test_missing_bad_or_stale_signatures_get_one_identical_401(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    source_id = await stripe_source(api)
    body = stripe_event()
    valid = stripe_headers(body)["stripe-signature"]
    cases = {
        "no_signature": JSON,
        "mismatch": stripe_headers(body, secret="whsec_someone_else"),
        "stale": stripe_headers(body, at=int(time.time()) - 301),
        # Only a v0 signature (Stripe's test-mode scheme), however valid its digest.
        "v0 only": JSON | {"stripe-signature": valid.replace("v1=", "v0=")},
        "changed body": stripe_headers(stripe_event()),
    }
    reasons = ("no_signature", "mismatch", "stale")
    before = {
        r: await ingress.metric(
            "orchestrator_webhook_rejections_total", provider="stripe", reason=r
        )
        for r in reasons
    }
    outcomes = await ingress.outcomes("stripe")
    bodies = []
    for headers in cases.values():
        response = await ingress.deliver(source_id, body, headers)
        assert response.status_code == 401, response.text
        assert "www-authenticate" not in response.headers
        document = response.json()
        assert document.pop("request_id")  # each response's own; nothing else differs
        bodies.append(document)
    assert all(document == bodies[0] for document in bodies), bodies
    assert bodies[0]["code"] == "webhook-unverified"
    assert delta(outcomes, await ingress.outcomes("stripe")) == {"unauthorized": len(cases)}
    after = {
        r: await ingress.metric(
            "orchestrator_webhook_rejections_total", provider="stripe", reason=r
        )
        for r in reasons
    }
    assert {r: after[r] - before[r] for r in reasons} == {
        "no_signature": 2,
        "mismatch": 2,
        "stale": 1,
    }
    assert await inbox_count(owner_sessions, tenant.tenant_id, source_id) == 0


async def test_a_verified_delivery_is_stored_once_with_one_outbox_row(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    source_id = await stripe_source(api)
    body = stripe_event("evt_stored_once")
    headers = stripe_headers(body) | {"Authorization": "Bearer not-kept", "X-Other": "dropped"}
    before = await ingress.outcomes("stripe")
    first = await ingress.deliver(source_id, body, headers)
    assert (first.status_code, first.json()) == (200, {"status": "accepted"})
    again = await ingress.deliver(source_id, body, stripe_headers(body))
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert delta(before, await ingress.outcomes("stripe")) == {"accepted": 1, "duplicate": 1}

    [row] = await inbox_rows(owner_sessions, tenant.tenant_id, source_id)
    # (Its status is the worker's: it may have routed the event already.)
    assert (row.tenant_id, row.source_id, row.provider) == (
        tenant.tenant_id,
        uuid.UUID(source_id),
        "stripe",
    )
    assert (row.dedupe_id, row.event_type) == ("evt_stored_once", "charge.succeeded")
    assert row.body == body  # the raw bytes, exactly as signed
    assert row.routing == {"account": "acct_1"}
    assert row.headers == {
        "content-type": "application/json",
        "stripe-signature": headers["stripe-signature"],
    }
    [message] = await outbox_rows(owner_sessions, [row])
    assert message.workspace_id == tenant.tenant_id
    assert message.payload == {"tenant_id": str(tenant.tenant_id), "inbox_id": str(row.id)}


async def test_fifty_concurrent_identical_deliveries_store_one_event(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    source_id = await stripe_source(api)
    body = stripe_event()
    headers = stripe_headers(body)
    before = await ingress.outcomes("stripe")
    responses = await asyncio.gather(
        *(ingress.deliver(source_id, body, headers) for _ in range(50))
    )
    assert all(200 <= r.status_code < 300 for r in responses), [r.status_code for r in responses]
    rows = await inbox_rows(owner_sessions, tenant.tenant_id, source_id)
    assert len(rows) == 1
    assert len(await outbox_rows(owner_sessions, rows)) == 1
    assert [r.json()["status"] for r in responses].count("accepted") == 1
    assert delta(before, await ingress.outcomes("stripe")) == {"accepted": 1, "duplicate": 49}
    # The worker takes the one event (no bindings here: processed as `ignored`).
    deadline = time.monotonic() + 20
    while rows[0].status == "received" and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        rows = await inbox_rows(owner_sessions, tenant.tenant_id, source_id)
    assert [row.status for row in rows] == ["ignored"]


async def test_slack_url_verification_echoes_the_challenge_only_when_signed(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    await stored_secret(api, "slack-signing", SLACK_SECRET)
    source_id = await new_source(api, "slack", ["slack-signing"])
    body = b'{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7","type":"url_verification"}'
    signed = JSON | sign("slack", body, SLACK_SECRET, timestamp=int(time.time()))
    before = await ingress.outcomes("slack")
    answered = await ingress.deliver(source_id, body, signed)
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7"}
    unsigned = await ingress.deliver(source_id, body, JSON)
    assert unsigned.status_code == 401, unsigned.text
    assert "challenge" not in unsigned.text
    assert delta(before, await ingress.outcomes("slack")) == {"challenge": 1, "unauthorized": 1}
    assert await inbox_count(owner_sessions, tenant.tenant_id, source_id) == 0


async def test_both_secrets_verify_during_a_rotation_and_the_old_stops_on_change(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    await stored_secret(api, "stripe-old", "whsec_old_secret")
    await stored_secret(api, "stripe-new", "whsec_new_secret")
    source = {"name": "rotating", "provider": "stripe", "secret_refs": ["stripe-old", "stripe-new"]}
    created = await api.write("POST", SOURCES, source)
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    for secret in ("whsec_old_secret", "whsec_new_secret"):
        body = stripe_event()
        response = await ingress.deliver(source_id, body, stripe_headers(body, secret=secret))
        assert response.status_code == 200, (secret, response.text)

    # The rotation ends: the change notice, not the cache's TTL (5 s), drops the old secret.
    replaced = await api.write(
        "PUT", f"{SOURCES}/{source_id}", source | {"secret_refs": ["stripe-new"]}
    )
    assert replaced.status_code == 200, replaced.text
    deadline = time.monotonic() + 2.0
    while True:
        body = stripe_event()
        old = await ingress.deliver(
            source_id, body, stripe_headers(body, secret="whsec_old_secret")
        )
        if old.status_code == 401 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert old.status_code == 401, old.text
    body = stripe_event()
    new = await ingress.deliver(source_id, body, stripe_headers(body, secret="whsec_new_secret"))
    assert new.status_code == 200, new.text


async def test_a_delivery_to_a_source_deleted_meanwhile_fails_alone_in_its_group(
    api: Api, settings: CoreSettings, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    kept, deleted = await stripe_source(api), await stripe_source(api)
    assert (await api.write("DELETE", f"{SOURCES}/{deleted}")).status_code == 204
    connection = AutocommitConnection(settings.db)
    writer = InboxWriter(connection.use, SILENT)

    def delivery(source_id: str) -> Delivery:
        body = stripe_event()
        return new_delivery(
            tenant_id=tenant.tenant_id,
            source_id=uuid.UUID(source_id),
            provider="stripe",
            dedupe_id=f"evt_{uuid.uuid4().hex}",
            event_type="charge.succeeded",
            routing={},
            headers=JSON,
            body=body,
        )

    try:
        # Queued together, so they share a group (and its one statement, at first).
        results = await asyncio.gather(
            writer.store(delivery(kept)),
            writer.store(delivery(deleted)),
            writer.store(delivery(kept)),
            return_exceptions=True,
        )
    finally:
        await connection.close()
    assert (results[0], results[2]) == (True, True), results
    assert isinstance(results[1], psycopg.errors.ForeignKeyViolation), results
    assert await inbox_count(owner_sessions, tenant.tenant_id, kept) == 2


async def test_a_coralogix_delivery_passes_on_its_bearer_token_which_is_never_stored(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    token = f"cx-{uuid.uuid4().hex}"
    name = f"coralogix-{uuid.uuid4().hex[:6]}"
    await stored_secret(api, name, token)
    source_id = await new_source(api, "coralogix", [name], routing={"team": ["onlineboutique"]})
    body = b'{"_context":{"system":{"name":"onlineboutique"}},"alert":{"status":"Triggered"}}'
    before = await ingress.outcomes("coralogix")
    wrong = await ingress.deliver(source_id, body, JSON | {"Authorization": f"Bearer {token}x"})
    assert wrong.status_code == 401
    right = await ingress.deliver(source_id, body, JSON | {"Authorization": f"Bearer {token}"})
    assert (right.status_code, right.json()) == (200, {"status": "accepted"})
    assert delta(before, await ingress.outcomes("coralogix")) == {"accepted": 1, "unauthorized": 1}

    [row] = await inbox_rows(owner_sessions, tenant.tenant_id, source_id)
    assert (row.event_type, row.routing) == ("Triggered", {"team": "onlineboutique"})
    assert row.headers == {"content-type": "application/json"}  # the token is not kept


async def test_an_incident_io_delivery_is_verified_as_standard_webhooks_with_its_event_type(
    api: Api, ingress: Ingress, tenant: BootstrapResult, owner_sessions: Owner
) -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    name = f"incident-{uuid.uuid4().hex[:6]}"
    await stored_secret(api, name, secret)
    source_id = await new_source(api, "incident_io", [name])
    body = (
        b'{"event_type":"public_alert.alert_created_v1","public_alert.alert_created_v1":'
        b'{"alert_source_id":"01GW2G3V0S59R238FAHPDS1R66","status":"firing"}}'
    )
    message_id = f"msg_{uuid.uuid4().hex}"
    signed = sign("incident_io", body, secret, timestamp=int(time.time()), msg_id=message_id)
    delivered = await ingress.deliver(source_id, body, JSON | signed)
    assert (delivered.status_code, delivered.json()) == (200, {"status": "accepted"})
    [row] = await inbox_rows(owner_sessions, tenant.tenant_id, source_id)
    assert (row.dedupe_id, row.event_type) == (message_id, "public_alert.alert_created_v1")
    assert row.routing == {"alert_source_id": "01GW2G3V0S59R238FAHPDS1R66"}
