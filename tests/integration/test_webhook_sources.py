"""Webhook sources and their bindings through the control-api."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog, WebhookBinding
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

SOURCES = "/webhooks/sources"


async def with_secret_refs(api: Api, *names: str) -> None:
    """Secret refs the sources can name."""
    for name in names:
        created = await api.write(
            "POST", "/secret-refs", {"name": name, "ref": f"env://{name.upper().replace('-', '_')}"}
        )
        assert created.status_code == 201, created.text


async def with_connector(api: Api, name: str = "orders") -> None:
    """A connector that job bindings can name."""
    connector = {
        "name": name,
        "type": "http",
        "config": {
            "base_url": "http://127.0.0.1:9/v1",
            "operations": {"sync": {"method": "POST", "path": "/orders"}},
        },
    }
    created = await api.write("POST", "/connectors", connector)
    assert created.status_code == 201, created.text


def slack_source(**changes: Any) -> dict[str, Any]:
    return {
        "name": "slack-main",
        "provider": "slack",
        "secret_refs": ["slack-old", "slack-new"],
        "routing": {"team_id": ["T1"], "channel": ["C1", "C2"]},
    } | changes


async def create_source(api: Api, source: dict[str, Any]) -> dict[str, Any]:
    created = await api.write("POST", SOURCES, source)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_source_round_trip_versions_changes_and_audits_each(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    body = await create_source(api, slack_source())
    source_id = body["id"]
    assert body["ingress_path"] == f"/webhooks/{source_id}"
    assert (body["version"], body["enabled"], body["options"]) == (1, True, None)
    assert (body["max_body_bytes"], body["rate_limit_per_s"]) == (1024 * 1024, None)
    assert body["routing"] == {"team_id": ["T1"], "channel": ["C1", "C2"]}
    path = f"{SOURCES}/{source_id}"

    rotated = slack_source(secret_refs=["slack-new"], rate_limit_per_s=50)
    replaced = await api.write("PUT", path, rotated)
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["version"], replaced.json()["secret_refs"]) == (2, ["slack-new"])
    same = await api.write("PUT", path, rotated)
    assert same.json()["version"] == 2  # nothing changed, nothing bumped

    fetched = await api.call("GET", path)
    assert fetched.json()["rate_limit_per_s"] == 50
    listed = await api.call("GET", SOURCES)
    assert [s["id"] for s in listed.json()["items"]] == [source_id]
    duplicate = await api.write("POST", SOURCES, slack_source())
    assert duplicate.status_code == 409, duplicate.text

    assert (await api.write("DELETE", path)).status_code == 204
    assert (await api.call("GET", path)).status_code == 404
    assert (await api.write("DELETE", path)).status_code == 404

    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        rows = await session.scalars(
            select(AuditLog.action)
            .where(AuditLog.tenant_id == tenant.tenant_id, AuditLog.action.startswith("webhook"))
            .order_by(AuditLog.id)
        )
        actions = list(rows)
    assert actions == ["webhook_source.create", "webhook_source.update", "webhook_source.delete"]


async def test_an_hmac_source_stores_its_options_complete(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "partner")
    options = {"header": "X-Signature", "timestamp_header": "X-Timestamp"}
    body = await create_source(
        api,
        {
            "name": "partner",
            "provider": "hmac",
            "secret_refs": ["partner"],
            "options": options | {"signed": "{timestamp}.{body}"},
        },
    )
    assert body["options"]["header"] == "X-Signature"
    assert body["options"]["tolerance_s"] == 300  # defaults filled in
    assert body["routing"] == {}


@pytest.mark.parametrize(
    ("changes", "keys"),
    [
        ({"provider": "carrier-pigeon"}, ["/provider"]),
        ({"provider": "hmac", "routing": {}}, ["/options"]),
        (
            {"provider": "hmac", "routing": {}, "options": {"header": "X-Sig", "tolerance_s": 0}},
            ["/options/tolerance_s"],
        ),
        ({"options": {"header": "X-Sig"}}, ["/options"]),
        ({"routing": {"installation_id": ["1"]}}, ["/routing/installation_id"]),
        ({"secret_refs": ["slack-old", "nowhere"]}, ["/secret_refs/1"]),
    ],
)
async def test_an_invalid_source_is_a_422_naming_the_field(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    changes: dict[str, Any],
    keys: list[str],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    response = await api.write("POST", SOURCES, slack_source(**changes))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["key"] for e in response.json()["errors"]] == keys
    assert (await api.call("GET", SOURCES)).json()["items"] == []


async def test_bindings_start_jobs_or_forwards_and_go_with_their_source(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    await with_connector(api)
    source_id = (await create_source(api, slack_source()))["id"]
    bindings = f"{SOURCES}/{source_id}/bindings"

    job = {
        "action": "job",
        "event_types": ["message"],
        "connector": "orders",
        "operation": "sync",
        "payload_mapping": {"text": "/event/text", "raw": ""},
    }
    created = await api.write("POST", bindings, job)
    assert created.status_code == 201, created.text
    assert created.json() | {"id": None, "created_at": None} == job | {
        "id": None,
        "source_id": source_id,
        "forward_url": None,
        "enabled": True,
        "created_at": None,
    }
    forward = {"action": "forward", "forward_url": "https://backend.example.com/hooks"}
    forwarded = await api.write("POST", bindings, forward)
    assert forwarded.status_code == 201, forwarded.text
    assert forwarded.json()["event_types"] == []  # every event

    listed = (await api.call("GET", bindings)).json()["items"]
    assert [b["action"] for b in listed] == ["job", "forward"]
    removed = await api.write("DELETE", f"{bindings}/{created.json()['id']}")
    assert removed.status_code == 204, removed.text
    assert [b["action"] for b in (await api.call("GET", bindings)).json()["items"]] == ["forward"]

    assert (await api.write("DELETE", f"{SOURCES}/{source_id}")).status_code == 204
    assert (await api.call("GET", bindings)).status_code == 404
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        # The owner may bypass RLS (a superuser does): name the tenant.
        left = await session.scalars(
            select(WebhookBinding.id).where(WebhookBinding.tenant_id == tenant.tenant_id)
        )
        assert list(left) == []  # ON DELETE CASCADE


@pytest.mark.parametrize(
    ("binding", "keys"),
    [
        ({"action": "job", "connector": "nowhere", "operation": "sync"}, ["/connector"]),
        ({"action": "job", "connector": "orders"}, ["/operation"]),
        (
            {"action": "forward", "forward_url": "http://169.254.169.254/latest/meta-data"},
            ["/forward_url"],
        ),
        ({"action": "forward"}, ["/forward_url"]),
        (
            {"action": "forward", "forward_url": "https://x.example.com", "connector": "orders"},
            ["/connector"],
        ),
        (
            {
                "action": "job",
                "connector": "orders",
                "operation": "sync",
                "payload_mapping": {"id": "data.id"},
            },
            ["/payload_mapping/id"],
        ),
    ],
)
async def test_an_invalid_binding_is_a_422_naming_the_field(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    binding: dict[str, Any],
    keys: list[str],
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    await with_connector(api)
    source_id = (await create_source(api, slack_source()))["id"]
    bindings = f"{SOURCES}/{source_id}/bindings"
    response = await api.write("POST", bindings, binding)
    assert response.status_code == 422, response.text
    assert [e["key"] for e in response.json()["errors"]] == keys
    assert (await api.call("GET", bindings)).json()["items"] == []


async def test_another_workspaces_source_is_not_found(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    ours, theirs = (
        await operator_api(http, stack, tenant),
        await operator_api(http, stack, other_tenant),
    )
    await with_secret_refs(theirs, "slack-old", "slack-new")
    path = f"{SOURCES}/{(await create_source(theirs, slack_source()))['id']}"
    assert (await ours.call("GET", path)).status_code == 404
    assert (await ours.call("GET", f"{path}/bindings")).status_code == 404
    assert (await ours.write("PUT", path, slack_source())).status_code == 404
    forward = {"action": "forward", "forward_url": "https://x.example.com"}
    assert (await ours.write("POST", f"{path}/bindings", forward)).status_code == 404
    assert (await ours.write("DELETE", path)).status_code == 404
    assert (await ours.call("GET", SOURCES)).json()["items"] == []
    assert (await theirs.call("GET", path)).status_code == 200


async def test_a_secret_ref_or_connector_a_source_uses_cannot_be_deleted(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    await with_connector(api)
    source = await create_source(api, slack_source())
    bound = await api.write(
        "POST",
        f"{SOURCES}/{source['id']}/bindings",
        {"action": "job", "connector": "orders", "operation": "sync"},
    )
    assert bound.status_code == 201, bound.text

    for path in ("/secret-refs/slack-new", "/connectors/orders"):
        refused = await api.write("DELETE", path)
        assert refused.status_code == 409, refused.text
        assert refused.json()["used_by_webhook_sources"] == ["slack-main"]

    assert (await api.write("DELETE", f"{SOURCES}/{source['id']}")).status_code == 204
    for path in ("/secret-refs/slack-new", "/connectors/orders"):
        deleted = await api.write("DELETE", path)
        assert deleted.status_code == 204, deleted.text
