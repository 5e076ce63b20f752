"""Webhook bodies past the payload threshold live in an S3-compatible bucket (ADR 0089):
stored sealed, routed and forwarded with the right bytes, read back through the inbox API,
checked against their SHA-256, deleted with their rows, and a store that is down refuses a
large delivery with a prompt 503.

The services run on a database of this module's own (``tests/support/payload_fixtures.py``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select, update

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.models import Job
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.payloads.store import PayloadStore
from orchestrator.core.webhooks.models import WebhookForward, WebhookInboxEntry
from tests.support.jobs import exec_headers
from tests.support.payloads import (
    BIG,
    INBOX,
    PREFIX,
    THRESHOLD,
    WAIT_S,
    Deployment,
    Workspace,
    objects,
    raw_object,
    silent_endpoint,
)
from tests.support.s3 import S3Server
from tests.support.stack import free_port, start_service, wait_ready
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import bind, stripe_event, stripe_headers

pytestmark = pytest.mark.integration

pytest_plugins = ["tests.support.payload_fixtures"]  # the deployment with a payload store


def big_event(marker: str, size: int = BIG) -> bytes:
    """A Stripe event of about ``size`` bytes, ``marker`` repeated through it."""
    return stripe_event(note=marker, blob=marker * (size // len(marker)))


async def deliver(
    http: httpx.AsyncClient, ingress_url: str, source_id: str, body: bytes
) -> httpx.Response:
    return await http.post(
        f"{ingress_url}/webhooks/{source_id}", content=body, headers=stripe_headers(body)
    )


async def inbox_row(deployment: Deployment, ws: Workspace) -> WebhookInboxEntry:
    async with tenant_transaction(deployment.owner, ws.tenant.tenant_id) as session:
        query = select(WebhookInboxEntry).where(WebhookInboxEntry.tenant_id == ws.tenant.tenant_id)
        [row] = (await session.scalars(query)).all()
    return row


async def _once_routed(
    deployment: Deployment, view: Callable[[], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    """``view()`` of an event once the worker has routed it (status no longer ``received``)."""
    deadline = time.monotonic() + WAIT_S
    while (seen := await view())["status"] == "received":
        if time.monotonic() > deadline:
            raise AssertionError(deployment.stack.services["worker"].log()[-5000:])
        await asyncio.sleep(0.05)
    return seen


async def settled(deployment: Deployment, ws: Workspace, inbox_id: uuid.UUID) -> dict[str, Any]:
    """The inbox API's view of the event, with its body, once the worker has routed it."""

    async def detail() -> dict[str, Any]:
        got = await ws.api.call("GET", f"{INBOX}/{inbox_id}")
        assert got.status_code == 200, got.text
        return dict(got.json())

    return await _once_routed(deployment, detail)


async def listed(deployment: Deployment, ws: Workspace, inbox_id: uuid.UUID) -> dict[str, Any]:
    """The inbox list's view of the event (no body read) once the worker has routed it."""

    async def item() -> dict[str, Any]:
        got = await ws.api.call("GET", INBOX, params={"source_id": ws.source_id})
        assert got.status_code == 200, got.text
        [entry] = [item for item in got.json()["items"] if item["id"] == str(inbox_id)]
        return dict(entry)

    return await _once_routed(deployment, item)


async def ignored_large_event(
    deployment: Deployment, ws: Workspace, http: httpx.AsyncClient, label: str
) -> tuple[bytes, WebhookInboxEntry, str]:
    """A delivery past the threshold to a source with no binding, once routed nowhere
    (``ignored``, kept): its body, its row and the key of the object holding the body."""
    body = big_event(f"{label}-{uuid.uuid4().hex}-", 2 * THRESHOLD)
    sent = await deliver(http, deployment.stack.url("webhook-ingress"), ws.source_id, body)
    assert sent.status_code == 200, sent.text
    row = await inbox_row(deployment, ws)
    assert row.body_ref is not None
    assert (await settled(deployment, ws, row.id))["status"] == "ignored"
    return body, row, row.body_ref


async def test_a_large_delivery_is_stored_sealed_routed_forwarded_and_read_back(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    s3_server: S3Server,
    upstream: UpstreamServer,
) -> None:
    ws, tenant_id = workspace, workspace.tenant.tenant_id
    path = f"/payload/{uuid.uuid4().hex[:8]}"
    await bind(ws.api, ws.source_id, {"action": "forward", "forward_url": f"{upstream.url}{path}"})
    name = f"c-{uuid.uuid4().hex[:8]}"
    config = {
        "base_url": f"{upstream.url}/jobs",
        "operations": {"notify": {"method": "POST", "path": "/n"}},
    }
    made = await ws.api.write(
        "POST", "/connectors", {"name": name, "type": "http", "config": config}
    )
    assert made.status_code == 201, made.text
    job = {
        "action": "job",
        "connector": name,
        "operation": "notify",
        "payload_mapping": {"note": "/note"},
    }
    await bind(ws.api, ws.source_id, job)
    whole = {"action": "job", "connector": name, "operation": "notify"}  # the whole event
    await bind(ws.api, ws.source_id, whole)
    marker = f"PLAINTEXT-{uuid.uuid4().hex}-"
    body = big_event(marker)

    # Far above ORCH_MAX_BODY_BYTES (64 KiB in tests): the source's own limit governs.
    sent = await deliver(http, deployment.stack.url("webhook-ingress"), ws.source_id, body)
    assert sent.status_code == 200, sent.text

    row = await inbox_row(deployment, ws)
    assert row.body == b""
    assert row.body_ref == f"{PREFIX}{tenant_id}/webhook-body/{row.id}"
    assert row.body_ref_sha256 == hashlib.sha256(body).hexdigest()
    assert row.body_ref_size == len(body)
    sealed = raw_object(s3_server, deployment.bucket, row.body_ref)
    assert marker.encode() not in sealed  # the bucket holds no plaintext
    assert len(sealed) >= len(body)

    entry = await settled(deployment, ws, row.id)
    assert (entry["status"], entry["actions"], entry["body_bytes"]) == ("routed", 3, len(body))
    assert base64.b64decode(entry["body_base64"]) == body

    assert await upstream.until_calls(1, path, wait_s=WAIT_S) == 1
    assert upstream.requests(path)[0].body == body  # the forward carries the whole body
    async with tenant_transaction(deployment.owner, tenant_id) as session:
        forward = await session.scalar(
            select(WebhookForward).where(WebhookForward.tenant_id == tenant_id)
        )
        queued = (await session.scalars(select(Job).where(Job.tenant_id == tenant_id))).all()
    assert forward is not None
    assert forward.body == b""
    assert forward.body_ref == f"{PREFIX}{tenant_id}/forward-body/{forward.id}"
    assert marker.encode() not in raw_object(s3_server, deployment.bucket, forward.body_ref)
    mapped = next(job for job in queued if job.payload_ref is None)
    assert mapped.payload == {"note": marker}  # small: inline
    [big] = [job for job in queued if job.payload_ref is not None]
    assert big.payload_ref == f"{PREFIX}{tenant_id}/job-payload/{big.id}"
    assert marker.encode() not in raw_object(s3_server, deployment.bucket, big.payload_ref)
    shown = await http.get(
        f"{deployment.stack.url('exec-api')}/api/v1/jobs/{big.id}",
        headers=await exec_headers(http, deployment.stack, ws.tenant),
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["payload"] == msgspec.json.decode(body)  # the whole event, read back


async def test_a_small_delivery_stays_inline(
    deployment: Deployment, workspace: Workspace, http: httpx.AsyncClient, s3_server: S3Server
) -> None:
    body = stripe_event(note="small")
    assert len(body) <= THRESHOLD
    sent = await deliver(http, deployment.stack.url("webhook-ingress"), workspace.source_id, body)
    assert sent.status_code == 200, sent.text
    row = await inbox_row(deployment, workspace)
    assert (row.body, row.body_ref, row.body_ref_sha256) == (body, None, None)
    assert objects(s3_server, deployment.bucket, f"{PREFIX}{workspace.tenant.tenant_id}/") == []


async def test_a_tampered_object_is_refused_and_retention_deletes_objects_with_rows(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    s3_server: S3Server,
    local_store: PayloadStore,
) -> None:
    ws, tenant_id = workspace, workspace.tenant.tenant_id
    body, row, key = await ignored_large_event(deployment, ws, http, "TAMPER")
    client = s3_server.client()
    original = raw_object(s3_server, deployment.bucket, key)

    # A byte of the ciphertext changed: the seal fails.
    flipped = original[:-1] + bytes([original[-1] ^ 1])
    client.put_object(Bucket=deployment.bucket, Key=key, Body=flipped)
    refused = await ws.api.call("GET", f"{INBOX}/{row.id}")
    assert (refused.status_code, refused.json()["code"]) == (502, "payload-unreadable")

    # Another validly sealed payload under the same key: only the SHA-256 tells.
    await local_store.put(tenant_id, "webhook-body", row.id, b'{"forged": true}')
    forged = await ws.api.call("GET", f"{INBOX}/{row.id}")
    assert (forged.status_code, forged.json()["code"]) == (502, "payload-unreadable")
    assert "SHA-256" in forged.json()["detail"]
    client.put_object(Bucket=deployment.bucket, Key=key, Body=original)
    restored = await ws.api.call("GET", f"{INBOX}/{row.id}")
    assert base64.b64decode(restored.json()["body_base64"]) == body

    # Retention: the row past its keep period goes, and its object with it.
    async with tenant_transaction(deployment.owner, tenant_id) as session:
        await session.execute(
            update(WebhookInboxEntry)
            .where(WebhookInboxEntry.tenant_id == tenant_id)
            .values(received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
        )
    purged = await maintenance.purge_webhook_inbox(deployment.app, keep=dt.timedelta(days=30))
    assert purged >= 1
    assert objects(s3_server, deployment.bucket, f"{PREFIX}{tenant_id}/") == []
    gone = await ws.api.call("GET", f"{INBOX}/{row.id}")
    assert gone.status_code == 404


@pytest.mark.parametrize("down", ["refusing", "silent"])
async def test_a_store_that_is_down_refuses_a_large_delivery_promptly(
    deployment: Deployment, workspace: Workspace, http: httpx.AsyncClient, down: str
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if down == "silent":  # takes the connection, never answers
            endpoint = await stack.enter_async_context(silent_endpoint())
        else:
            endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        ingress = start_service(
            "webhook-ingress",
            "orchestrator.webhook_ingress",
            {
                **deployment.env,
                "ORCH_PAYLOAD_ENDPOINT_URL": endpoint,
                "ORCH_PAYLOAD_TIMEOUT_S": "1",
            },
        )
        stack.callback(ingress.stop)
        await asyncio.to_thread(wait_ready, ingress)
        started = time.monotonic()
        big = big_event(f"DOWN-{uuid.uuid4().hex}-", 2 * THRESHOLD)
        refused = await deliver(http, ingress.url, workspace.source_id, big)
        took = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert took < 3, (took, refused.text)  # within the request deadline
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "payload-store-unavailable"
        assert refused.headers["retry-after"] == "1"
        # A body under the threshold needs no store: still taken.
        small = await deliver(http, ingress.url, workspace.source_id, stripe_event(note="s"))
        assert small.status_code == 200, small.text
        row = await inbox_row(deployment, workspace)  # only the small one was written
        assert row.body_ref is None


async def test_a_missing_object_fails_routing_and_a_retry_routes_it_once_it_is_back(
    upstream: UpstreamServer,
    s3_server: S3Server,
    local_store: PayloadStore,
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
) -> None:
    ws, tenant_id = workspace, workspace.tenant.tenant_id
    body, row, key = await ignored_large_event(deployment, ws, http, "LOST")
    s3_server.client().delete_object(Bucket=deployment.bucket, Key=key)
    path = f"/payload/{uuid.uuid4().hex[:8]}"
    await bind(ws.api, ws.source_id, {"action": "forward", "forward_url": f"{upstream.url}{path}"})

    retried = await ws.api.write("POST", f"{INBOX}/{row.id}/retry")
    assert retried.status_code == 202, retried.text
    failed = await listed(deployment, ws, row.id)  # its detail, with the body, is a 502
    assert failed["status"] == "failed"  # nothing forwarded without its body
    assert failed["last_error"].startswith("payload-unreadable")
    assert upstream.calls(path) == 0

    # The object put back (the same plaintext, sealed afresh under the same key).
    await local_store.put(tenant_id, "webhook-body", row.id, body)
    again = await ws.api.write("POST", f"{INBOX}/{row.id}/retry")
    assert again.status_code == 202, again.text
    assert (await settled(deployment, ws, row.id))["status"] == "routed"
    assert await upstream.until_calls(1, path, wait_s=WAIT_S) == 1
    assert upstream.requests(path)[0].body == body
