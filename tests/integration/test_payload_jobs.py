"""Job payloads and outputs past the payload threshold live in the bucket (ADR 0089): a
job submitted with one runs with it, shows it and its output on ``GET``, and both go with
the job's retention; a store that is down refuses a large job with a prompt 503.

The services run on a database of this module's own (``tests/support/payload_fixtures.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select, update

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.jobs.models import Job
from orchestrator.core.maintenance import chores as maintenance
from orchestrator.core.payloads.store import PayloadStore
from tests.support.control_api import Api
from tests.support.jobs import exec_headers
from tests.support.payloads import (
    PREFIX,
    THRESHOLD,
    WAIT_S,
    Deployment,
    Workspace,
    objects,
    raw_object,
)
from tests.support.s3 import S3Server
from tests.support.stack import free_port, start_service, wait_ready
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.payload_fixtures"]  # the deployment with a payload store
JOBS = "/api/v1/jobs"


async def echo_connector(api: Api, upstream: UpstreamServer) -> str:
    """A connector whose ``echo`` POSTs its payload to the upstream, which answers with
    what it received (so the output holds the payload)."""
    name = f"c-{uuid.uuid4().hex[:8]}"
    config = {
        "base_url": f"{upstream.url}/echo-{name}",
        "operations": {"echo": {"method": "POST", "path": "/e"}},
    }
    made = await api.write("POST", "/connectors", {"name": name, "type": "http", "config": config})
    assert made.status_code == 201, made.text
    return name


def big_payload(marker: str) -> dict[str, Any]:
    """A payload of about twice the threshold, ``marker`` repeated through it."""
    return {"blob": marker * (2 * THRESHOLD // len(marker))}


async def job_row(deployment: Deployment, ws: Workspace, job_id: str) -> Job:
    async with tenant_transaction(deployment.owner, ws.tenant.tenant_id) as session:
        row = await session.scalar(select(Job).where(Job.id == uuid.UUID(job_id)))
    assert row is not None
    return row


async def finished(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], deployment: Deployment
) -> dict[str, Any]:
    """The job's view once it has ended."""
    deadline = time.monotonic() + WAIT_S
    while True:
        got = await http.get(url, headers=headers)
        assert got.status_code == 200, got.text
        if got.json()["status"] not in ("queued", "running"):
            return dict(got.json())
        if time.monotonic() > deadline:
            raise AssertionError(deployment.stack.services["worker"].log()[-5000:])
        await asyncio.sleep(0.05)


async def test_a_large_payload_and_its_output_round_trip_and_go_with_the_job(
    deployment: Deployment,
    workspace: Workspace,
    http: httpx.AsyncClient,
    s3_server: S3Server,
    upstream: UpstreamServer,
    local_store: PayloadStore,
) -> None:
    ws, tenant_id = workspace, workspace.tenant.tenant_id
    name = await echo_connector(ws.api, upstream)
    marker = f"JOB-PAYLOAD-{uuid.uuid4().hex}-"
    payload = big_payload(marker)
    headers = await exec_headers(http, deployment.stack, ws.tenant)
    base = f"{deployment.stack.url('exec-api')}{JOBS}"

    callback = f"/callback-{name}"
    job = {"connector": name, "operation": "echo", "payload": payload}
    sent = await http.post(
        base, json=job | {"callback_url": f"{upstream.url}{callback}"}, headers=headers
    )
    assert sent.status_code == 202, sent.text
    job_id = sent.json()["id"]
    row = await job_row(deployment, ws, job_id)
    assert row.payload is None  # JSON null: the payload is in the bucket
    assert row.payload_ref == f"{PREFIX}{tenant_id}/job-payload/{job_id}"
    assert marker.encode() not in raw_object(s3_server, deployment.bucket, row.payload_ref)

    shown = await finished(http, f"{base}/{job_id}", headers, deployment)
    assert shown["status"] == "succeeded", shown
    assert shown["payload"] == payload
    [request] = upstream.requests(f"/echo-{name}/e")
    assert msgspec.json.decode(request.body) == payload  # the worker ran it with the payload
    assert marker in msgspec.json.encode(shown["output"]).decode()  # the echo, read back
    assert await upstream.until_calls(1, callback, wait_s=WAIT_S) == 1
    called = msgspec.json.decode(upstream.requests(callback)[0].body)
    assert called["data"]["output"] == shown["output"]  # the callback reads it back too
    row = await job_row(deployment, ws, job_id)
    assert row.output is None
    assert row.output_ref == f"{PREFIX}{tenant_id}/job-result/{job_id}"
    assert marker.encode() not in raw_object(s3_server, deployment.bucket, row.output_ref)

    # Retention: the finished job goes (once its callback is recorded), with both objects.
    deadline = time.monotonic() + WAIT_S
    while (await job_row(deployment, ws, job_id)).callback_state != "delivered":
        assert time.monotonic() < deadline, "the callback was not recorded"
        await asyncio.sleep(0.05)
    async with tenant_transaction(deployment.owner, tenant_id) as session:
        await session.execute(
            update(Job)
            .where(Job.id == row.id)
            .values(finished_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
        )
    assert await maintenance.purge_finished_jobs(deployment.app, keep=dt.timedelta(days=30)) >= 1
    assert objects(s3_server, deployment.bucket, f"{PREFIX}{tenant_id}/") == []


async def test_a_store_that_is_down_refuses_a_large_job_promptly(
    deployment: Deployment, workspace: Workspace, http: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    name = await echo_connector(workspace.api, upstream)
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    exec_api = start_service(
        "exec-api",
        "orchestrator.exec_api",
        {**deployment.env, "ORCH_PAYLOAD_ENDPOINT_URL": closed, "ORCH_PAYLOAD_TIMEOUT_S": "1"},
    )
    try:
        wait_ready(exec_api)
        headers = await exec_headers(http, deployment.stack, workspace.tenant)
        job = {"connector": name, "operation": "echo"}
        started = time.monotonic()
        big = job | {"payload": big_payload(f"DOWN-{uuid.uuid4().hex}-")}
        refused = await http.post(f"{exec_api.url}{JOBS}", json=big, headers=headers)
        assert time.monotonic() - started < 5
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "payload-store-unavailable"
        assert refused.headers["retry-after"] == "1"
        small = await http.post(
            f"{exec_api.url}{JOBS}", json=job | {"payload": {}}, headers=headers
        )
        assert small.status_code == 202, small.text
        async with tenant_transaction(deployment.owner, workspace.tenant.tenant_id) as session:
            rows = (
                await session.scalars(
                    select(Job).where(Job.tenant_id == workspace.tenant.tenant_id)
                )
            ).all()
        assert [row.id for row in rows] == [uuid.UUID(small.json()["id"])]  # nothing else
    finally:
        exec_api.stop()
