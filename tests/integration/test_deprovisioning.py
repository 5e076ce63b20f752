"""Deleting a workspace (ADR 0100): a saga run by the worker that survives the worker's death.

The module runs a plane of its own (control-api, exec-api, webhook-ingress on a database
of its own; workers started and killed by the tests), since the session's worker would
otherwise run the deletions these tests want to interrupt. Workers delete in small
batches with a pause after each (``ORCH_DEPROVISION_BATCH_PAUSE_S``, 0 in production), so
a deletion of a few thousand rows is still running when a test kills its worker.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from orchestrator.core.auth import keys
from orchestrator.core.maintenance.deprovision.tables import tenant_tables
from orchestrator.core.tenancy.platform import ensure_platform_operator
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import Member, invited_guest
from tests.support.cli import Cli
from tests.support.control_api import Api
from tests.support.durability import until
from tests.support.factories import fetch_token, new_auditor, new_tenant
from tests.support.jobs import IsolatedDb, add_connector
from tests.support.jobs import exec_token as forged_exec_token
from tests.support.s3 import S3Server
from tests.support.stack import Service, Stack, start_service, wait_ready
from tests.support.webhooks import STRIPE_SECRET, stripe_event, stripe_headers, stripe_source

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.support.jobs_fixtures"]  # the `isolated` database fixtures

BULK_ROWS = 3000
PAYLOAD_PREFIX = "payloads/"
BATCH = 100
PLANE = (
    ("control-api", "orchestrator.control_api"),
    ("exec-api", "orchestrator.exec_api"),
    ("webhook-ingress", "orchestrator.webhook_ingress"),
)


@pytest.fixture(scope="module")
def plane_env(
    service_env: dict[str, str], isolated: IsolatedDb, s3_server: S3Server
) -> dict[str, str]:
    """The environment of this module's services and workers: a payload store of their
    own, where a job's payload past 1 KiB goes."""
    return {
        **service_env,
        **s3_server.environ(),
        "ORCH_PAYLOAD_BUCKET": s3_server.new_bucket("orch-deprov"),
        "ORCH_PAYLOAD_ENDPOINT_URL": s3_server.endpoint_url,
        "ORCH_PAYLOAD_PREFIX": PAYLOAD_PREFIX,
        "ORCH_PAYLOAD_THRESHOLD_BYTES": "1024",
        "DATABASE_URL": isolated.url,
        "ORCH_REDIS_NAMESPACE": f"deprov-{uuid.uuid4().hex[:8]}",
        "ORCH_DEPROVISION_BATCH": str(BATCH),
        "ORCH_DEPROVISION_BATCH_PAUSE_S": "0.05",
        "ORCH_DEPROVISION_LEASE_S": "2",
        "ORCH_DEPROVISION_POLL_S": "0.2",
        "ORCH_JOBS_SCHEDULER": "false",
    }


@pytest.fixture(scope="module")
async def plane(plane_env: dict[str, str], isolated: IsolatedDb) -> AsyncIterator[Stack]:
    """The three APIs on the module's database (no worker: tests start their own)."""
    async with isolated.owner() as session, session.begin():
        await keys.ensure_active_key(session, isolated.kek)
    running = Stack()
    try:
        for name, module in PLANE:
            running.services[name] = start_service(name, module, plane_env)
        for service in running.services.values():
            await asyncio.to_thread(wait_ready, service)
        yield running
    finally:
        running.stop()


@pytest.fixture
def workers(plane_env: dict[str, str]) -> Iterator[Callable[[], Service]]:
    """Start a worker of the module's plane (each stopped after the test)."""
    started: list[Service] = []

    def start() -> Service:
        worker = start_service("worker", "orchestrator.worker", plane_env)
        wait_ready(worker)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


async def admin(http: httpx.AsyncClient, plane: Stack, tenant: BootstrapResult) -> Api:
    """The tenant's admin operator on the module's control-api."""
    base = plane.url("control-api")
    token = await fetch_token(http, base, tenant.control_client_id, tenant.control_client_secret)
    return Api(http, base, token)


async def second_workspace(api: Api, name: str) -> uuid.UUID:
    """Another workspace of the operator's organization; its id."""
    made = await api.call(
        "POST", "/workspaces", json={"name": name, "environment": "dev", "reason": "a sibling"}
    )
    assert made.status_code == 201, made.text
    return uuid.UUID(made.json()["id"])


async def fill(isolated: IsolatedDb, tenant_id: uuid.UUID, rows: int) -> None:
    """``rows`` events of the workspace, written as the owner (quick, and many)."""
    async with isolated.owner() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO event_log (tenant_id, type, data) "
                "SELECT :tenant, 'test.bulk', '{}'::jsonb FROM generate_series(1, :rows)"
            ),
            {"tenant": tenant_id, "rows": rows},
        )


async def row_counts(isolated: IsolatedDb, tenant_id: uuid.UUID) -> dict[str, int]:
    """The workspace's rows in every table of the schema with a ``tenant_id`` column (and
    its service identities), read as the owner from a scan of the catalog."""
    async with isolated.owner() as session:
        tables = (
            await session.scalars(
                text(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = 'tenant_id' "
                    "AND table_name IN (SELECT tablename FROM pg_tables "
                    "WHERE schemaname = 'public') ORDER BY 1"
                )
            )
        ).all()
        counts = {
            table: int(
                await session.scalar(
                    text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :t'),
                    {"t": tenant_id},
                )
                or 0
            )
            for table in tables
        }
        counts["service_identities"] = int(
            await session.scalar(
                text("SELECT count(*) FROM service_identities WHERE workspace_id = :t"),
                {"t": tenant_id},
            )
            or 0
        )
    return counts


async def follow(api: Api, location: str) -> dict[str, Any]:
    """The deletion at ``location``."""
    got = await api.http.get(f"{api.base}{location}", headers=api.headers)
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def delete(
    api: Api, workspace_id: uuid.UUID, operation_id: str, **params: Any
) -> httpx.Response:
    """``DELETE /api/v1/workspaces/{id}``."""
    return await api.call(
        "DELETE",
        f"/workspaces/{workspace_id}",
        params={"operation_id": operation_id, "reason": "customer offboarded", **params},
    )


async def test_a_deletion_killed_midway_resumes_to_the_end_and_touches_no_other_workspace(
    isolated: IsolatedDb, plane: Stack, workers: Callable[[], Service]
) -> None:
    """SIGKILL the worker in the middle of the row deletes; another finishes the saga. Then
    nothing of the workspace can be read or used, and its siblings keep every row."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    other_org = await new_tenant(isolated.app, isolated.kek)
    doomed = tenant.tenant_id
    async with httpx.AsyncClient(timeout=10) as http:
        api = await admin(http, plane, tenant)
        sibling = await second_workspace(api, f"sib-{uuid.uuid4().hex[:6]}")
        source_id = await stripe_source(api)
        await add_connector(isolated.app, doomed, "echo")
        await add_connector(isolated.app, sibling, "echo")
        for workspace in (doomed, sibling, other_org.tenant_id):
            await fill(isolated, workspace, BULK_ROWS)
        exec_token = await fetch_token(
            http, plane.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
        )
        exec_headers = {"Authorization": f"Bearer {exec_token}"}
        events = f"{plane.url('exec-api')}/api/v1/events"
        assert (await http.get(events, headers=exec_headers)).status_code == 200
        body = stripe_event()
        ingress = f"{plane.url('webhook-ingress')}/webhooks/{source_id}"
        assert (
            await http.post(ingress, content=body, headers=stripe_headers(body))
        ).status_code == 200
        before = {w: await row_counts(isolated, w) for w in (sibling, other_org.tenant_id)}
        assert all(counted["event_log"] == BULK_ROWS for counted in before.values())
        doomed_events = (await row_counts(isolated, doomed))["event_log"]
        assert doomed_events >= BULK_ROWS

        impersonating = await api.call(
            "POST",
            "/impersonation",
            json={"workspace_id": str(doomed)},
            params={"reason": "support ticket"},
        )
        assert impersonating.status_code == 201, impersonating.text
        as_support = {"Authorization": f"Bearer {impersonating.json()['access_token']}"}
        assert (await http.get(events, headers=as_support)).status_code == 200
        doomed_name = (await api.call("GET", f"/workspaces/{doomed}")).json()["name"]
        started = await delete(api, doomed, "offboard-1")
        assert started.status_code == 202, started.text
        location = started.headers["location"]
        assert started.json()["status"] == "running"
        # At once, before any worker runs: nothing of the workspace is usable.
        deleting = await api.call("GET", f"/workspaces/{doomed}")
        assert deleting.json()["status"] == "DELETING"

        async def exec_refused() -> bool:
            tokens = (exec_headers, as_support)  # its identity's, and an impersonation's
            answers = [(await http.get(events, headers=h)).status_code for h in tokens]
            return answers == [401, 401]

        async def ingress_refused() -> bool:
            again = stripe_event()
            sent = await http.post(ingress, content=again, headers=stripe_headers(again))
            return sent.status_code == 404

        assert await until(exec_refused, timeout_s=10, every_s=0.05), (
            "the workspace's exec token to be refused"
        )
        assert await until(ingress_refused, timeout_s=10, every_s=0.05), (
            "the workspace's webhook source to refuse"
        )
        refused = await http.post(
            f"{plane.url('control-api')}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": tenant.exec_client_id,
                "client_secret": tenant.exec_client_secret,
            },
        )
        assert refused.status_code == 401, refused.text
        # The same operation_id answers the same deletion; another one is a 409 naming it.
        again = await delete(api, doomed, "offboard-1")
        assert again.status_code == 202
        assert again.headers["location"] == location
        other = await delete(api, doomed, "offboard-2")
        assert other.status_code == 409
        assert other.json()["operation_id"] == "offboard-1"

        first = workers()

        async def mid_delete() -> bool:
            progress = (await follow(api, location))["progress"]
            deleted = progress.get("steps", {}).get("delete-rows", {}).get("event_log", 0)
            return bool(deleted) and deleted < BULK_ROWS

        assert await until(mid_delete, timeout_s=30, every_s=0.05), (
            "the worker to be in the middle of deleting events"
        )
        first.kill()
        killed_at = await follow(api, location)
        assert killed_at["status"] == "running"
        assert killed_at["step"] == "delete-rows"
        assert 0 < (await row_counts(isolated, doomed))["event_log"] < BULK_ROWS

        workers()

        async def finished() -> bool:
            return bool((await follow(api, location))["status"] != "running")

        assert await until(finished, timeout_s=60, every_s=0.05), "the resumed deletion to finish"
        done = await follow(api, location)
        assert done["status"] == "succeeded", done
        assert done["attempts"] == 2, done
        assert done["progress"]["done"] == [
            "fence",
            "cancel-work",
            "revoke-identities",
            "drop-secrets",
            "delete-rows",
            "delete-payloads",
        ]
        # Each batch's count is recorded in the batch's transaction: exact, crash or not.
        assert done["progress"]["steps"]["delete-rows"]["event_log"] == doomed_events

        # Nothing of it can be read or used.
        assert (await api.call("GET", f"/workspaces/{doomed}")).status_code == 404
        listed = await api.every("/workspaces")
        assert doomed not in {uuid.UUID(w["id"]) for w in listed}
        scoped = await api.call("GET", "/connectors", params={"workspace": str(doomed)})
        assert scoped.status_code == 404, scoped.text
        assert await exec_refused()
        assert await ingress_refused()
        counts = await row_counts(isolated, doomed)
        kept = counts.pop("audit_log")
        assert len(counts) >= 25, counts  # every tenant table was scanned
        assert counts == dict.fromkeys(counts, 0), counts
        # Its audit trail is what it leaves: the request and every step.
        assert kept >= 8
        # Its siblings, in its organization and in another, lost nothing.
        for workspace, counted in before.items():
            assert await row_counts(isolated, workspace) == counted
        sibling_api = await api.call("GET", "/connectors", params={"workspace": str(sibling)})
        assert sibling_api.status_code == 200
        async with isolated.owner() as session:
            status = await session.scalar(
                text("SELECT status FROM workspaces WHERE id = :id"), {"id": doomed}
            )
        assert status == "DELETED"
        # The operator whose home it was signs in to the sibling now; and the tombstone holds
        # no name: a new workspace may take it.
        rehomed = await admin(http, plane, tenant)
        assert (await rehomed.call("GET", "/tokens/self")).json()["workspace_id"] == str(sibling)
        reborn = await second_workspace(rehomed, doomed_name)
        assert reborn != doomed
        # A repeat after the end still answers the same (finished) deletion.
        repeat = await delete(api, doomed, "offboard-1")
        assert repeat.status_code == 202
        assert repeat.json()["status"] == "succeeded"
        assert STRIPE_SECRET not in first.log()


async def submit_large(http: httpx.AsyncClient, plane: Stack, token: str, i: int = 0) -> str:
    """A job of the token's workspace on its ``echo`` connector, its payload large enough
    for the payload store; the job's id."""
    submitted = await http.post(
        f"{plane.url('exec-api')}/api/v1/jobs",
        json={"connector": "echo", "operation": "get", "payload": {"i": i, "pad": "x" * 2048}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert submitted.status_code == 202, submitted.text
    return str(submitted.json()["id"])


async def sibling_token(isolated: IsolatedDb, workspace_id: uuid.UUID) -> str:
    """An exec token of a workspace made through the API (it has no identity of its own)."""
    return await forged_exec_token(isolated, workspace_id)


def objects(plane_env: dict[str, str], s3_server: S3Server, tenant_id: uuid.UUID) -> list[str]:
    """The keys of the workspace's objects in the module's payload store."""
    listed = s3_server.client().list_objects_v2(
        Bucket=plane_env["ORCH_PAYLOAD_BUCKET"], Prefix=f"{PAYLOAD_PREFIX}{tenant_id}/"
    )
    return [item["Key"] for item in listed.get("Contents", [])]


async def test_deletion_is_refused_while_jobs_are_queued_unless_forced(
    isolated: IsolatedDb,
    plane: Stack,
    plane_env: dict[str, str],
    s3_server: S3Server,
    workers: Callable[[], Service],
) -> None:
    """409 naming the counts while jobs are queued; with ``force`` they are cancelled first,
    and their payloads go from the store with them (a sibling's stay)."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    async with httpx.AsyncClient(timeout=10) as http:
        api = await admin(http, plane, tenant)
        sibling = await second_workspace(api, f"sib-{uuid.uuid4().hex[:6]}")
        await add_connector(isolated.app, tenant.tenant_id, "echo")
        await add_connector(isolated.app, sibling, "echo")
        exec_token = await fetch_token(
            http, plane.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
        )
        sibling_job = await submit_large(http, plane, await sibling_token(isolated, sibling))
        for i in range(3):
            await submit_large(http, plane, exec_token, i)
        assert len(objects(plane_env, s3_server, tenant.tenant_id)) == 3
        # Only the roles that may change a workspace may delete it.
        auditor = await new_auditor(isolated.app, tenant)
        token = await fetch_token(http, api.base, auditor.client_id, auditor.client_secret)
        forbidden = await delete(Api(http, api.base, token), tenant.tenant_id, "audit-1")
        assert forbidden.status_code == 403, forbidden.text
        refused = await delete(api, tenant.tenant_id, "busy-1")
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["active_jobs"] == 3
        # Refused: nothing changed, and the workspace serves on.
        serving = await api.call("GET", f"/workspaces/{tenant.tenant_id}")
        assert serving.json()["status"] == "COMMITTED"
        forced = await delete(api, tenant.tenant_id, "busy-2", force="true")
        assert forced.status_code == 202, forced.text
        assert forced.json()["force"] is True
        workers()
        location = forced.headers["location"]

        async def finished() -> bool:
            return bool((await follow(api, location))["status"] == "succeeded")

        assert await until(finished, timeout_s=60, every_s=0.05), "the forced deletion to finish"
        done = await follow(api, location)
        assert done["progress"]["steps"]["cancel-work"]["jobs_cancelled"] == 3
        assert done["progress"]["steps"]["delete-payloads"]["objects_deleted"] == 3
        counts = await row_counts(isolated, tenant.tenant_id)
        counts.pop("audit_log")
        assert counts == dict.fromkeys(counts, 0), counts
        assert objects(plane_env, s3_server, tenant.tenant_id) == []
        assert objects(plane_env, s3_server, sibling) == [
            f"{PAYLOAD_PREFIX}{sibling}/job-payload/{sibling_job}"
        ]


async def test_deprovisioning_logs_no_secret_value(
    isolated: IsolatedDb, plane: Stack, workers: Callable[[], Service]
) -> None:
    """A workspace with a sealed secret and live credentials deleted end to end: no secret
    value in any service's log."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    async with httpx.AsyncClient(timeout=10) as http:
        api = await admin(http, plane, tenant)
        await stripe_source(api)
        worker = workers()
        started = await delete(api, tenant.tenant_id, f"quiet-{uuid.uuid4().hex[:6]}")
        assert started.status_code == 202, started.text

        async def finished() -> bool:
            body = await follow(api, started.headers["location"])
            return bool(body["status"] == "succeeded")

        assert await until(finished, timeout_s=60, every_s=0.05), "the deletion to finish"
    logs = worker.log() + "".join(service.log() for service in plane.services.values())
    assert "deprovisioning" in worker.log()
    for secret in (STRIPE_SECRET, tenant.exec_client_secret, tenant.control_client_secret):
        assert secret not in logs


async def test_an_organization_is_deleted_workspace_by_workspace_then_its_operators(
    isolated: IsolatedDb, plane: Stack, workers: Callable[[], Service]
) -> None:
    """A platform operator deletes an organization: each workspace is deleted (a deletion of
    its own), then the operators lose access; another organization keeps every row."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    bystander = await new_tenant(isolated.app, isolated.kek)
    name = f"plat-{uuid.uuid4().hex[:6]}"
    async with isolated.app() as session, session.begin():
        platform = await ensure_platform_operator(session, name)
    async with httpx.AsyncClient(timeout=10) as http:
        control = plane.url("control-api")
        api = await admin(http, plane, tenant)
        second = await second_workspace(api, f"two-{uuid.uuid4().hex[:6]}")
        for workspace in (tenant.tenant_id, second, bystander.tenant_id):
            await fill(isolated, workspace, 500)
        before = await row_counts(isolated, bystander.tenant_id)
        token = await fetch_token(http, control, platform.client_id, platform.client_secret)
        operator = Api(http, control, token)
        organization_id = (await api.call("GET", "/tokens/self")).json()["organization_id"]
        path = f"/organizations/{organization_id}"
        params = {"operation_id": "close-org", "reason": "contract ended"}
        started = await operator.call("DELETE", path, params=params)
        assert started.status_code == 202, started.text
        assert started.json()["kind"] == "organization"
        location = started.headers["location"]

        async def operators_out() -> bool:
            return (await api.call("GET", "/tokens/self")).status_code == 401

        # Its operators are out at once, before any worker runs.
        assert await until(operators_out, timeout_s=10, every_s=0.05), "operators still in"
        workers()

        async def finished() -> bool:
            return bool((await follow(operator, location))["status"] == "succeeded")

        assert await until(finished, timeout_s=60, every_s=0.05), "the organization's deletion"
        done = await follow(operator, location)
        assert set(done["progress"]["workspaces"]) == {str(tenant.tenant_id), str(second)}
        assert set(done["progress"]["workspaces"].values()) == {"succeeded"}
        for workspace in (tenant.tenant_id, second):
            counts = await row_counts(isolated, workspace)
            counts.pop("audit_log")
            assert counts == dict.fromkeys(counts, 0), counts
        assert await row_counts(isolated, bystander.tenant_id) == before
        # Its operators are out: their tokens and their credentials refused.
        assert (await api.call("GET", "/tokens/self")).status_code == 401
        signed_in = await http.post(
            f"{control}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": tenant.control_client_id,
                "client_secret": tenant.control_client_secret,
            },
        )
        assert signed_in.status_code == 401, signed_in.text
        listed = await operator.every("/organizations")
        assert {o["status"] for o in listed if o["id"] == organization_id} == {"DELETED"}
        again = await operator.call("DELETE", path, params=params)
        assert again.status_code == 202
        assert again.headers["location"] == location
        # The tombstone holds no name: the organization's name may be taken again.
        async with isolated.owner() as session:
            name = await session.scalar(
                text("SELECT name FROM organizations WHERE id = :id"), {"id": organization_id}
            )
        reborn = await new_tenant(isolated.app, isolated.kek, org=name)
        assert reborn.tenant_id != tenant.tenant_id


async def test_the_cli_deletes_a_workspace_and_follows_it_to_the_end(
    isolated: IsolatedDb, plane: Stack, workers: Callable[[], Service], tmp_path: Path
) -> None:
    """``workspaces delete --wait`` prints each step and ends with the finished deletion;
    ``deletions get`` reads it again."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    async with httpx.AsyncClient(timeout=10) as http:
        api = await admin(http, plane, tenant)
        doomed = await second_workspace(api, f"cli-{uuid.uuid4().hex[:6]}")
    workers()
    cli = Cli(config=tmp_path / "config", cwd=tmp_path)
    cli.ok(*Cli.login_command(plane, tenant))
    delete_args = ("workspaces", "delete", str(doomed), "--reason", "cli test", "--yes")
    done = json.loads(cli.ok(*delete_args, "--operation-id", "cli-1", "--wait", "--json"))
    assert done["status"] == "succeeded", done
    assert done["workspace_id"] == str(doomed)
    again = json.loads(cli.ok("deletions", "get", done["id"], "--json"))
    assert again["progress"]["done"][-1] == "delete-payloads"
    line = cli.fails(*delete_args, "--operation-id", "cli-2")
    assert line.startswith("orchestrator: 409 "), line
    cli.assert_no_secret(tenant)


async def test_every_tenant_table_is_emptied_and_each_before_the_tables_it_references(
    isolated: IsolatedDb,
) -> None:
    """The deletion order read from the catalog: every table with a ``tenant_id`` column but
    the audit log, each before any table its foreign keys name (so no batch cascades)."""
    async with isolated.app() as session:
        order = await tenant_tables(session)
    counts = await row_counts(isolated, uuid.uuid4())
    assert set(order) == set(counts) - {"audit_log", "service_identities"}
    async with isolated.owner() as session:
        references = (
            await session.execute(
                text(
                    "SELECT conrelid::regclass::text, confrelid::regclass::text "
                    "FROM pg_constraint WHERE contype = 'f'"
                )
            )
        ).all()
    checked = 0
    for child, parent in references:
        if child in order and parent in order and child != parent:
            assert order.index(child) < order.index(parent), (child, parent)
            checked += 1
    assert checked >= 10


async def test_a_worker_stopping_mid_delete_hands_the_deletion_back_at_once(
    isolated: IsolatedDb, plane: Stack, workers: Callable[[], Service]
) -> None:
    """SIGTERM in the middle of the row deletes: the worker ends its batch, gives the
    deletion's lease up (no waiting for it to end) and exits; another worker finishes it."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    await fill(isolated, tenant.tenant_id, BULK_ROWS)
    async with httpx.AsyncClient(timeout=10) as http:
        api = await admin(http, plane, tenant)
        doomed = await second_workspace(api, f"stop-{uuid.uuid4().hex[:6]}")
        await fill(isolated, doomed, BULK_ROWS)
        started = await delete(api, doomed, f"stop-{uuid.uuid4().hex[:6]}")
        location = started.headers["location"]
        first = workers()

        async def mid_delete() -> bool:
            progress = (await follow(api, location))["progress"]
            deleted = progress.get("steps", {}).get("delete-rows", {}).get("event_log", 0)
            return bool(deleted) and deleted < BULK_ROWS

        assert await until(mid_delete, timeout_s=30, every_s=0.05), "mid-delete"
        first.stop()
        assert first.process.returncode == 0, first.log()
        async with isolated.owner() as session:
            handed_back = await session.scalar(
                text(
                    "SELECT lease_until <= now() AND status = 'running' "
                    "FROM deprovision_operations WHERE id = :id"
                ),
                {"id": started.json()["id"]},
            )
        assert handed_back is True
        assert "handed back at delete-rows" in first.log()
        workers()

        async def finished() -> bool:
            return bool((await follow(api, location))["status"] == "succeeded")

        assert await until(finished, timeout_s=60, every_s=0.05), "the deletion to finish"
        assert (await follow(api, location))["attempts"] == 2
        counts = await row_counts(isolated, doomed)
        counts.pop("audit_log")
        assert counts == dict.fromkeys(counts, 0), counts
        assert (await row_counts(isolated, tenant.tenant_id))["event_log"] == BULK_ROWS


async def test_a_deleted_workspaces_guests_are_signed_out_at_the_request(
    isolated: IsolatedDb, plane: Stack
) -> None:
    """A guest's channel token has a subject of its own, which no identity's revocation
    covers: the fence revokes it with the request, before any worker runs (nothing of the
    workspace, a counter included, may be written while its rows go)."""
    tenant = await new_tenant(isolated.app, isolated.kek)
    async with httpx.AsyncClient(timeout=10) as http:
        api = await admin(http, plane, tenant)
        token = api.headers["Authorization"].removeprefix("Bearer ")
        guest, _ = await invited_guest(Member(http, api.base, token))
        assert (await guest.call("GET", "")).status_code == 200
        accepted = await delete(api, tenant.tenant_id, "guests-1")
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["progress"]["requested"]["guests_revoked"] == 1
        refused = await guest.call("GET", "")
        assert refused.status_code == 401, refused.text
        opened = await guest.call("POST", "/sessions")
        assert opened.status_code == 401, opened.text
