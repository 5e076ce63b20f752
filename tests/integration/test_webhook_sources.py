"""Webhook sources and their bindings through the control-api."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator.core.webhooks.models import WebhookBinding, WebhookInboxEntry, WebhookSource
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack
from tests.support.webhooks import store_delivery, stored_secret

pytestmark = pytest.mark.integration

SOURCES = "/webhooks/sources"


async def with_secret_refs(api: Api, *names: str) -> None:
    """Secret refs the sources can name."""
    for name in names:
        created = await api.write(
            "POST",
            "/secret-refs",
            {"name": name, "ref": f"env://ORCH_TENANT_SECRET_{name.upper().replace('-', '_')}"},
        )
        assert created.status_code == 201, created.text


def connector_body(name: str = "orders", *operations: str) -> dict[str, Any]:
    """An http connector offering ``operations`` (default: ``sync``)."""
    return {
        "name": name,
        "type": "http",
        "config": {
            "base_url": "http://127.0.0.1:9/v1",
            "operations": {
                op: {"method": "POST", "path": f"/orders/{op}"} for op in operations or ("sync",)
            },
        },
    }


async def replace_orders(api: Api, *operations: str) -> httpx.Response:
    """``PUT /connectors/orders`` offering ``operations``."""
    body = connector_body("orders", *operations)
    del body["name"]  # named by the path
    return await api.write("PUT", "/connectors/orders", body)


async def with_connector(api: Api, name: str = "orders") -> None:
    """A connector that job bindings can name."""
    created = await api.write("POST", "/connectors", connector_body(name))
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
        # The connector exists but offers only `sync`: every event would fail the job.
        ({"action": "job", "connector": "orders", "operation": "refund"}, ["/operation"]),
        ({"action": "job", "connector": "orders", "operation": "Sync"}, ["/operation"]),
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
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 422
    assert [e["key"] for e in response.json()["errors"]] == keys
    assert (await api.call("GET", bindings)).json()["items"] == []


async def test_a_job_binding_names_an_operation_its_connector_offers(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    await with_connector(api)
    source_id = (await create_source(api, slack_source()))["id"]
    bindings = f"{SOURCES}/{source_id}/bindings"
    refund = {"action": "job", "connector": "orders", "operation": "refund"}

    refused = await api.write("POST", bindings, refund)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["key"] == "/operation"
    assert "`sync`" in error["message"]  # says what the connector does offer

    # Another workspace's connector of the same name offering `refund` does not count.
    theirs = await operator_api(http, stack, other_tenant)
    made = await theirs.write("POST", "/connectors", connector_body("orders", "refund"))
    assert made.status_code == 201, made.text
    assert (await api.write("POST", bindings, refund)).status_code == 422

    replaced = await replace_orders(api, "sync", "refund")
    assert replaced.status_code == 200, replaced.text
    created = await api.write("POST", bindings, refund)
    assert created.status_code == 201, created.text
    assert [b["operation"] for b in (await api.call("GET", bindings)).json()["items"]] == ["refund"]


async def test_a_connector_keeps_the_operations_bindings_start(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    await with_connector(api)
    source_id = (await create_source(api, slack_source()))["id"]
    bound = await api.write(
        "POST",
        f"{SOURCES}/{source_id}/bindings",
        {"action": "job", "connector": "orders", "operation": "sync"},
    )
    assert bound.status_code == 201, bound.text
    stored = (await api.call("GET", "/connectors/orders")).json()

    # Replacing `sync` by `refund` would leave the binding failing every event.
    refused = await replace_orders(api, "refund")
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    [error] = refused.json()["errors"]
    assert error["key"] == "/config/operations/sync"
    assert "slack-main" in error["message"]
    assert (await api.call("GET", "/connectors/orders")).json() == stored

    # A bundle may not drop it either, dry run or not; nothing of the bundle is written.
    bundle = {
        "secret_refs": [{"name": "extra", "ref": "env://ORCH_TENANT_SECRET_EXTRA"}],
        "connectors": [connector_body("orders", "refund")],
    }
    for dry_run in ("true", "false"):
        imported = await api.write("POST", "/bundles/import", bundle, dry_run=dry_run)
        assert imported.status_code == 422, imported.text
        keys = [e["key"] for e in imported.json()["errors"]]
        assert keys == ["/connectors/0/config/operations/sync"]
    assert (await api.call("GET", "/connectors/orders")).json() == stored
    assert (await api.call("GET", "/secret-refs/extra")).status_code == 404

    # Keeping `sync` and adding `refund` is fine, through either door.
    kept = await replace_orders(api, "sync", "refund")
    assert kept.status_code == 200, kept.text
    bundle["connectors"] = [connector_body("orders", "sync")]
    imported = await api.write("POST", "/bundles/import", bundle)
    assert imported.status_code == 200, imported.text
    after = (await api.call("GET", "/connectors/orders")).json()
    assert list(after["config"]["operations"]) == ["sync"]

    # Once the binding is gone, so is the constraint.
    bound_id = bound.json()["id"]
    assert (
        await api.write("DELETE", f"{SOURCES}/{source_id}/bindings/{bound_id}")
    ).status_code == 204
    dropped = await replace_orders(api, "refund")
    assert dropped.status_code == 200, dropped.text


async def test_a_refused_replacement_leaves_the_source_and_its_bindings_as_they_were(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    await with_secret_refs(api, "slack-old", "slack-new")
    await with_connector(api)
    source = await create_source(api, slack_source())
    path = f"{SOURCES}/{source['id']}"
    job = {"action": "job", "connector": "orders", "operation": "sync"}
    assert (await api.write("POST", f"{path}/bindings", job)).status_code == 201
    bindings_before = (await api.call("GET", f"{path}/bindings")).json()

    bad = slack_source(secret_refs=["slack-new", "nowhere"], rate_limit_per_s=5)
    refused = await api.write("PUT", path, bad)
    assert refused.status_code == 422, refused.text
    assert [e["key"] for e in refused.json()["errors"]] == ["/secret_refs/1"]
    assert (await api.call("GET", path)).json() == source
    assert (await api.call("GET", f"{path}/bindings")).json() == bindings_before


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


async def test_deleting_a_source_waits_for_a_router_holding_its_delivery_without_a_deadlock(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    await stored_secret(api, "router-race", "whsec_router_race_secret")
    created = await api.write(
        "POST", SOURCES, {"name": "raced", "provider": "stripe", "secret_refs": ["router-race"]}
    )
    assert created.status_code == 201, created.text
    source_id = uuid.UUID(created.json()["id"])
    entry = await store_delivery(
        owner_sessions,
        tenant.tenant_id,
        source_id,
        "stripe",
        b'{"id":"evt_race"}',
        route_messages=0,
    )
    # As a router does: the delivery's row first, then (starting its work) the source.
    async with owner_sessions() as router, router.begin():
        await set_tenant(router, tenant.tenant_id)
        await router.execute(
            select(WebhookInboxEntry.id).where(WebhookInboxEntry.id == entry).with_for_update()
        )
        deleting = asyncio.create_task(api.write("DELETE", f"{SOURCES}/{source_id}"))
        await asyncio.sleep(0.5)  # the delete has begun and waits
        await router.execute(
            select(WebhookSource.id)
            .where(WebhookSource.id == source_id)
            .with_for_update(key_share=True)
        )
        assert not deleting.done()
    deleted = await asyncio.wait_for(deleting, 10)
    assert deleted.status_code == 204, deleted.text
