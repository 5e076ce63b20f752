"""Stored values read back raw, streamed from the bucket segment by segment (ADR 0112): a
5 MiB webhook body and a large job output come back byte for byte; a tampered or truncated
object ends the response short, with no byte of the bad segment or after it sent; a
format-1 object still reads; a store that is down is a prompt 503 problem.

The services run on a database of this module's own (``tests/support/payload_fixtures.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from orchestrator.core.crypto.envelope import KeyEncryptionKey, seal_bytes
from orchestrator.core.crypto.segments import SEGMENT_BYTES, TAG_BYTES
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.models import Job
from orchestrator.core.payloads.framing import frame, read_head
from orchestrator.core.webhooks.models import WebhookInboxEntry
from tests.support.jobs import exec_headers
from tests.support.payloads import BIG, INBOX, WAIT_S, Deployment, Workspace, raw_object
from tests.support.s3 import S3Server
from tests.support.stack import free_port, start_service, wait_ready
from tests.support.upstream import UpstreamServer
from tests.support.webhooks import stripe_event, stripe_headers

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.payload_fixtures"]  # the deployment with a payload store
SEALED = SEGMENT_BYTES + TAG_BYTES


class Read:
    """What a client got of a raw value: the answer's head, the bytes, how it ended."""

    def __init__(self, response: httpx.Response, data: bytes, failure: Exception | None) -> None:
        self.response, self.data, self.failure = response, data, failure


async def read(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Read:
    """The raw value at ``url`` as it streams in, and the error that cut it short, if any."""
    received = bytearray()
    async with http.stream("GET", url, headers=headers) as response:
        try:
            async for chunk in response.aiter_raw():
                received += chunk
        except httpx.HTTPError as exc:
            return Read(response, bytes(received), exc)
    return Read(response, bytes(received), None)


async def large_delivery(
    deployment: Deployment, ws: Workspace, http: httpx.AsyncClient
) -> tuple[bytes, WebhookInboxEntry]:
    """A 5 MiB Stripe event delivered to the workspace's source: its body and its row."""
    marker = f"STREAM-{uuid.uuid4().hex}-"
    body = stripe_event(note=marker, blob=marker * (BIG // len(marker)))
    url = f"{deployment.stack.url('webhook-ingress')}/webhooks/{ws.source_id}"
    sent = await http.post(url, content=body, headers=stripe_headers(body))
    assert sent.status_code == 200, sent.text
    async with tenant_transaction(deployment.owner, ws.tenant.tenant_id) as session:
        query = select(WebhookInboxEntry).where(WebhookInboxEntry.tenant_id == ws.tenant.tenant_id)
        [row] = (await session.scalars(query)).all()
    assert row.body_ref is not None
    return body, row


def body_url(deployment: Deployment, row: WebhookInboxEntry) -> str:
    return f"{deployment.stack.url('control-api')}/api/v1{INBOX}/{row.id}/body"


def segments_start(sealed: bytes) -> int:
    """Where an ``orch-payload/2`` object's first segment starts."""
    found = read_head(sealed)
    assert found is not None
    assert found[0] is not None  # format 2
    return found[1]


async def test_a_large_webhook_body_streams_back_byte_for_byte(
    deployment: Deployment, workspace: Workspace, http: httpx.AsyncClient
) -> None:
    body, row = await large_delivery(deployment, workspace, http)
    got = await read(http, body_url(deployment, row), workspace.api.headers)
    assert got.failure is None
    assert got.response.status_code == 200
    assert got.response.headers["content-type"].startswith("application/json")
    assert got.response.headers["content-length"] == str(len(body))
    assert got.response.headers["x-content-type-options"] == "nosniff"
    assert got.data == body

    for _ in range(12):  # readers that leave early break nothing for the next one
        async with http.stream(
            "GET", body_url(deployment, row), headers=workspace.api.headers
        ) as r:
            assert len(await anext(r.aiter_raw())) > 0
    assert (await read(http, body_url(deployment, row), workspace.api.headers)).data == body

    small = stripe_event(note="small")  # inline in its row: served from there
    url = f"{deployment.stack.url('webhook-ingress')}/webhooks/{workspace.source_id}"
    assert (await http.post(url, content=small, headers=stripe_headers(small))).status_code == 200
    async with tenant_transaction(deployment.owner, workspace.tenant.tenant_id) as session:
        inline = await session.scalar(
            select(WebhookInboxEntry).where(WebhookInboxEntry.body_ref.is_(None))
        )
    assert inline is not None
    assert (await read(http, body_url(deployment, inline), workspace.api.headers)).data == small
    missing = await workspace.api.call("GET", f"{INBOX}/{uuid.uuid4()}/body")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("damage", ["flipped", "truncated", "last segment dropped"])
async def test_a_damaged_object_ends_the_stream_short_before_its_bad_segment(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    s3_server: S3Server,
    damage: str,
) -> None:
    body, row = await large_delivery(deployment, workspace, http)
    assert row.body_ref is not None
    sealed = raw_object(s3_server, deployment.bucket, row.body_ref)
    start = segments_start(sealed)
    bad = 40  # a middle segment of the 81
    if damage == "flipped":
        at = start + bad * SEALED + 1000
        damaged = sealed[:at] + bytes([sealed[at] ^ 1]) + sealed[at + 1 :]
    elif damage == "truncated":
        damaged = sealed[: start + bad * SEALED + 500]
    else:  # cut on a segment boundary: only the last-segment flag tells
        bad = -(-len(body) // SEGMENT_BYTES) - 2
        damaged = sealed[: start + (bad + 1) * SEALED]
    s3_server.client().put_object(Bucket=deployment.bucket, Key=row.body_ref, Body=damaged)

    got = await read(http, body_url(deployment, row), workspace.api.headers)
    assert got.response.status_code == 200  # the answer had started: it cannot become a 502
    assert isinstance(got.failure, httpx.RemoteProtocolError)  # ...it ends short instead
    assert body.startswith(got.data)  # every byte sent was verified, in order
    assert len(got.data) <= bad * SEGMENT_BYTES  # none of the bad segment or after it
    assert len(got.data) >= (bad - 8) * SEGMENT_BYTES  # streamed up to it, not held back

    # The whole-value read refuses it too (as it did before streaming).
    detail = await workspace.api.call("GET", f"{INBOX}/{row.id}")
    assert (detail.status_code, detail.json()["code"]) == (502, "payload-unreadable")


async def test_a_bad_first_segment_is_a_502_problem(
    deployment: Deployment, workspace: Workspace, http: httpx.AsyncClient, s3_server: S3Server
) -> None:
    _, row = await large_delivery(deployment, workspace, http)
    assert row.body_ref is not None
    sealed = raw_object(s3_server, deployment.bucket, row.body_ref)
    at = segments_start(sealed) + 10
    damaged = sealed[:at] + bytes([sealed[at] ^ 1]) + sealed[at + 1 :]
    s3_server.client().put_object(Bucket=deployment.bucket, Key=row.body_ref, Body=damaged)
    refused = await workspace.api.call("GET", f"{INBOX}/{row.id}/body")
    assert refused.status_code == 502
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "payload-unreadable"


async def test_a_format_1_object_still_reads(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    s3_server: S3Server,
    kek: KeyEncryptionKey,
) -> None:
    body, row = await large_delivery(deployment, workspace, http)
    assert row.body_ref is not None
    old = frame(seal_bytes(kek, body, context=row.body_ref))  # as ADR 0089 wrote objects
    s3_server.client().put_object(Bucket=deployment.bucket, Key=row.body_ref, Body=old)
    got = await read(http, body_url(deployment, row), workspace.api.headers)
    assert (got.failure, got.data) == (None, body)
    detail = await workspace.api.call("GET", f"{INBOX}/{row.id}")
    assert detail.status_code == 200


async def echo_connector(ws: Workspace, upstream: UpstreamServer) -> str:
    """A connector whose ``echo`` answers with the payload it was sent."""
    name = f"c-{uuid.uuid4().hex[:8]}"
    config = {
        "base_url": f"{upstream.url}/echo-{name}",
        "operations": {"echo": {"method": "POST", "path": "/e"}},
    }
    made = await ws.api.write(
        "POST", "/connectors", {"name": name, "type": "http", "config": config}
    )
    assert made.status_code == 201, made.text
    return name


async def finished_job(
    http: httpx.AsyncClient, deployment: Deployment, url: str, headers: dict[str, str]
) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while (got := await http.get(url, headers=headers)).json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, deployment.stack.services["worker"].log()[-5000:]
        await asyncio.sleep(0.05)
    return dict(got.json())


async def test_a_large_job_payload_and_output_stream_back_from_both_apis(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    upstream: UpstreamServer,
) -> None:
    ws = workspace
    name = await echo_connector(ws, upstream)
    marker = f"JOB-STREAM-{uuid.uuid4().hex}-"
    payload = {"blob": marker * (900 * 1024 // len(marker))}  # 14 segments, under 1 MiB
    headers = await exec_headers(http, deployment.stack, ws.tenant)
    jobs = f"{deployment.stack.url('exec-api')}/api/v1/jobs"
    sent = await http.post(
        jobs, json={"connector": name, "operation": "echo", "payload": payload}, headers=headers
    )
    assert sent.status_code == 202, sent.text
    job_id = sent.json()["id"]
    shown = await finished_job(http, deployment, f"{jobs}/{job_id}", headers)
    assert shown["status"] == "succeeded", shown
    async with tenant_transaction(deployment.owner, ws.tenant.tenant_id) as session:
        row = await session.scalar(select(Job).where(Job.id == uuid.UUID(job_id)))
    assert row is not None
    assert row.payload_ref is not None
    assert row.output_ref is not None

    control = f"{deployment.stack.url('control-api')}/api/v1/jobs"
    for base, auth in ((jobs, headers), (control, ws.api.headers)):
        for what, sha256, size in (
            ("payload", row.payload_ref_sha256, row.payload_ref_size),
            ("output", row.output_ref_sha256, row.output_ref_size),
        ):
            got = await read(http, f"{base}/{job_id}/{what}", auth)
            assert got.failure is None
            assert got.response.status_code == 200, got.data[:500]
            assert got.response.headers["content-type"] == "application/json"
            assert (len(got.data), hashlib.sha256(got.data).hexdigest()) == (size, sha256)
        assert marker in (await http.get(f"{base}/{job_id}/output", headers=auth)).text
    payload_read = await http.get(f"{jobs}/{job_id}/payload", headers=headers)
    assert payload_read.json() == payload
    assert payload_read.json() == shown["payload"]  # as the JSON view shows it
    nothing = await http.get(f"{jobs}/{uuid.uuid4()}/output", headers=headers)
    assert nothing.status_code == 404
    assert nothing.headers["content-type"].startswith("application/problem+json")

    small = await http.post(
        jobs, json={"connector": name, "operation": "echo", "payload": {"a": 1}}, headers=headers
    )
    inline = f"{jobs}/{small.json()['id']}"
    assert (await http.get(f"{inline}/payload", headers=headers)).content == b'{"a":1}'


async def test_a_store_that_is_down_is_a_prompt_503_before_any_byte(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    upstream: UpstreamServer,
) -> None:
    _, row = await large_delivery(deployment, workspace, http)
    name = await echo_connector(workspace, upstream)
    big = {"blob": "x" * 200_000}  # past the threshold: its payload is in the bucket
    sent = await http.post(
        f"{deployment.stack.url('exec-api')}/api/v1/jobs",
        json={"connector": name, "operation": "echo", "payload": big},
        headers=await exec_headers(http, deployment.stack, workspace.tenant),
    )
    assert sent.status_code == 202, sent.text
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    control = start_service(
        "control-api",
        "orchestrator.control_api",
        {**deployment.env, "ORCH_PAYLOAD_ENDPOINT_URL": closed, "ORCH_PAYLOAD_TIMEOUT_S": "1"},
    )
    try:
        wait_ready(control)
        for path in (f"{INBOX}/{row.id}/body", f"/jobs/{sent.json()['id']}/payload"):
            started = time.monotonic()
            refused = await http.get(f"{control.url}/api/v1{path}", headers=workspace.api.headers)
            assert time.monotonic() - started < 5
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["code"] == "payload-store-unavailable"
            assert refused.headers["retry-after"] == "1"
    finally:
        control.stop()
