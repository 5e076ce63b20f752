"""Workspace creation through the control-api: a saga, idempotent by operation_id, audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog, Workspace, WorkspaceStatus
from orchestrator.core.tenancy.service import (
    BootstrapResult,
    NewWorkspace,
    create_workspace,
)
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack


async def operator_token(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> dict[str, str]:
    token = await fetch_token(
        http, stack.url("control-api"), tenant.control_client_id, tenant.control_client_secret
    )
    return {"Authorization": f"Bearer {token}"}


async def create(
    http: httpx.AsyncClient, stack: Stack, headers: dict[str, str], **body: object
) -> httpx.Response:
    payload = {"environment": "dev", "reason": "new product line", **body}
    return await http.post(
        f"{stack.url('control-api')}/api/v1/workspaces", json=payload, headers=headers
    )


async def test_created_workspace_is_committed_audited_and_idempotent(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    headers = await operator_token(http, stack, tenant)
    operation_id = f"op-{uuid.uuid4()}"
    first = await create(http, stack, headers, name="billing-dev", operation_id=operation_id)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "COMMITTED"
    again = await create(http, stack, headers, name="billing-dev", operation_id=operation_id)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    workspace_id = uuid.UUID(first.json()["id"])
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, workspace_id)
        records = (
            await session.scalars(select(AuditLog).where(AuditLog.tenant_id == workspace_id))
        ).all()
        secrets = await session.scalar(
            text("SELECT count(*) FROM workspace_secrets WHERE tenant_id = :t"), {"t": workspace_id}
        )
    assert [r.action for r in records] == ["workspace.create"]
    assert records[0].reason == "new product line"
    assert records[0].request_id
    assert secrets == 1


async def test_workspace_names_are_unique_per_organization(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    headers = await operator_token(http, stack, tenant)
    assert (await create(http, stack, headers, name="search-dev")).status_code == 201
    clash = await create(http, stack, headers, name="search-dev")
    assert clash.status_code == 409
    assert clash.json()["status"] == 409


async def test_workspace_of_the_other_environment_is_refused(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    headers = await operator_token(http, stack, tenant)
    response = await create(http, stack, headers, name="search-prod", environment="prod")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_pending_workspace_left_by_a_crash_is_resumed(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with owner_sessions() as session:
        org_id = await session.scalar(
            select(Workspace.organization_id).where(Workspace.id == tenant.tenant_id)
        )
    operation_id = f"op-{uuid.uuid4()}"
    async with owner_sessions() as session, session.begin():
        session.add(
            Workspace(
                organization_id=org_id,
                name="crashed-dev",
                environment="dev",
                status=WorkspaceStatus.PENDING,
                operation_id=operation_id,
            )
        )
    headers = await operator_token(http, stack, tenant)
    response = await create(http, stack, headers, name="crashed-dev", operation_id=operation_id)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "COMMITTED"


async def test_a_failed_saga_is_rolled_back_reported_and_frees_the_name(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with owner_sessions() as session:
        org_id = await session.scalar(
            select(Workspace.organization_id).where(Workspace.id == tenant.tenant_id)
        )
    assert org_id is not None
    operation_id = f"op-{uuid.uuid4()}"
    # A key AES cannot use makes the secret-provisioning step fail for real.
    broken_kek = KeyEncryptionKey(id="broken", key=b"short")
    failed, created = await create_workspace(
        app_sessions,
        broken_kek,
        NewWorkspace(org_id, "doomed-dev", "dev", operation_id, "test", "saga failure"),
        deployment_env="dev",
    )
    assert created
    assert failed.status is WorkspaceStatus.FAILED
    assert failed.failure_reason == "provision-secret failed"
    async with owner_sessions() as session:
        leftovers = await session.scalar(
            text("SELECT count(*) FROM workspace_secrets WHERE tenant_id = :t"), {"t": failed.id}
        )
        audited = await session.scalar(
            text("SELECT count(*) FROM audit_log WHERE tenant_id = :t"), {"t": failed.id}
        )
    assert (leftovers, audited) == (0, 0)

    headers = await operator_token(http, stack, tenant)
    replay = await create(http, stack, headers, name="doomed-dev", operation_id=operation_id)
    assert replay.status_code == 409, replay.text
    assert replay.headers["content-type"].startswith("application/problem+json")
    problem = replay.json()
    assert problem["type"].endswith("workspace-creation-failed")
    assert problem["workspace_id"] == str(failed.id)
    assert problem["failure_reason"] == "provision-secret failed"

    retried = await create(
        http, stack, headers, name="doomed-dev", operation_id=f"op-{uuid.uuid4()}"
    )
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "COMMITTED"
    assert retried.json()["id"] != str(failed.id)


async def test_operators_see_only_their_organizations_workspaces(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    headers = await operator_token(http, stack, tenant)
    listed = await http.get(f"{stack.url('control-api')}/api/v1/workspaces", headers=headers)
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()["items"]}
    assert str(tenant.tenant_id) in ids
    assert str(other_tenant.tenant_id) not in ids
    foreign = await http.get(
        f"{stack.url('control-api')}/api/v1/workspaces/{other_tenant.tenant_id}", headers=headers
    )
    assert foreign.status_code == 404


async def test_a_read_only_auditor_cannot_create_workspaces(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    auditor = await new_auditor(app_sessions, tenant)
    control = stack.url("control-api")
    token = await fetch_token(http, control, auditor.client_id, auditor.client_secret)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.get(f"{control}/api/v1/workspaces", headers=headers)).status_code == 200
    refused = await create(http, stack, headers, name="sneaky-dev")
    assert refused.status_code == 403, refused.text


@pytest.mark.usefixtures("signing_key")
def test_cli_bootstrap_twice_returns_the_same_ids(service_env: dict[str, str]) -> None:
    org, workspace = f"cli-{uuid.uuid4().hex[:6]}", "cli-dev"
    command = [
        sys.executable,
        "-m",
        "orchestrator.cli.main",
        "bootstrap",
        "--org",
        org,
        "--workspace",
        workspace,
        "--json",
    ]
    env = {**os.environ, **service_env}
    first = json.loads(subprocess.run(command, env=env, check=True, capture_output=True).stdout)
    second = json.loads(subprocess.run(command, env=env, check=True, capture_output=True).stdout)
    assert set(first) == {
        "tenant_id",
        "exec_client_id",
        "exec_client_secret",
        "control_client_id",
        "control_client_secret",
    }
    for key in ("tenant_id", "exec_client_id", "control_client_id"):
        assert first[key] == second[key]
    assert first["exec_client_secret"] != second["exec_client_secret"]
