"""Bundles carry webhook sources and their bindings: exported with their ids, re-imported as
a no-op, cloned into another workspace at new ids, planned field by field, pruned, and
left alone by a bundle without them."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_bundles import audit_count, import_, sibling
from tests.integration.test_webhook_sources import connector_body
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack
from tests.support.webhooks import SOURCES, bind

pytestmark = pytest.mark.integration

JOB = {"action": "job", "connector": "orders", "operation": "sync", "event_types": []}
FORWARD = {"action": "forward", "forward_url": "http://127.0.0.1:9/hooks", "event_types": []}
BINDING_FIELDS = [
    *("action", "connector", "enabled", "event_types"),
    *("forward_url", "operation", "payload_mapping"),
]


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    """The tenant's admin operator, with two secret refs, a connector and a Stripe source
    (``billing``) whose events start a job of the connector and a forward."""
    api = await operator_api(http, stack, tenant)
    for name in ("signing", "signing-next"):
        ref = {"name": name, "ref": "env://ORCH_TENANT_SECRET_UNUSED"}
        assert (await api.write("POST", "/secret-refs", ref)).status_code == 201
    made = await api.write("POST", "/connectors", connector_body("orders", "sync", "refund"))
    assert made.status_code == 201, made.text
    source = {"name": "billing", "provider": "stripe", "secret_refs": ["signing"]}
    created = await api.write("POST", SOURCES, source | {"routing": {"account": ["acct_1"]}})
    assert created.status_code == 201, created.text
    await bind(api, created.json()["id"], FORWARD | {"event_types": ["charge.refunded"]})
    await bind(api, created.json()["id"], JOB | {"payload_mapping": {"id": "/data/id"}})
    return api


def change(kind: str, name: str, action: str, fields: list[str]) -> dict[str, Any]:
    """One entry of an import report's ``changes``."""
    return {"kind": kind, "name": name, "action": action, "fields": fields}


async def refused_at(api: Api, bundle: dict[str, Any]) -> list[str]:
    """The sorted pointers of the errors of an import refused as a 422."""
    refused = await import_(api, bundle)
    assert refused.status_code == 422, refused.text
    return sorted(e["key"] for e in refused.json()["errors"])


async def exported(api: Api, **params: Any) -> dict[str, Any]:
    response = await api.call("GET", "/bundles/export", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def source_of(api: Api, name: str) -> dict[str, Any]:
    """A source as the API shows it, with its bindings."""
    found = {s["name"]: s for s in await api.every(SOURCES)}[name]
    bindings = await api.every(f"{SOURCES}/{found['id']}/bindings")
    return dict(found) | {"bindings": bindings}


async def test_an_export_carries_sources_and_reimports_as_a_no_op(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    bundle = await exported(api)
    stored = await source_of(api, "billing")
    assert bundle["webhook_sources"] == [
        {
            "name": "billing",
            "id": stored["id"],
            "provider": "stripe",
            "secret_refs": ["signing"],
            "options": None,
            "routing": {"account": ["acct_1"]},
            "rate_limit_per_s": None,
            "max_body_bytes": 1024 * 1024,
            "enabled": True,
            # In content order (the job was bound last), never ids or times.
            "bindings": [
                {
                    **FORWARD,
                    "event_types": ["charge.refunded"],
                    "connector": None,
                    "operation": None,
                    "payload_mapping": None,
                    "enabled": True,
                },
                {
                    **JOB,
                    "payload_mapping": {"id": "/data/id"},
                    "forward_url": None,
                    "enabled": True,
                },
            ],
        }
    ]
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    for params in ({}, {"prune": "true"}):
        again = await import_(api, bundle, **params)
        assert again.status_code == 200, again.text
        assert (again.json()["changed"], again.json()["changes"]) == (0, [])
    assert await source_of(api, "billing") == stored
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited


async def test_an_export_imported_into_another_workspace_makes_new_sources(api: Api) -> None:
    bundle = await exported(api)
    bundle["webhook_sources"][0]["routing"] = {}  # one workspace of the organization claims it
    target = await sibling(api, "clone")
    cloned = await import_(api, bundle, **target)
    assert cloned.status_code == 200, cloned.text
    assert [(c["kind"], c["action"]) for c in cloned.json()["changes"]][-3:] == [
        ("webhook_source", "create"),
        *[("webhook_binding", "create")] * 2,
    ]
    copied = (await exported(api, **target))["webhook_sources"]
    # Ids are unique across workspaces: the copy has its own, so its own ingress URL.
    assert copied[0]["id"] != bundle["webhook_sources"][0]["id"]
    assert [s | {"id": None} for s in copied] == [
        s | {"id": None} for s in bundle["webhook_sources"]
    ]
    # A bundle passed off as another workspace's own cannot take ids in use: a 409.
    other = await sibling(api, "forged")
    forged = bundle | {"tenant": bundle["tenant"] | {"id": other["workspace"]}}
    refused = await import_(api, forged, **other)
    assert refused.status_code == 409, refused.text
    assert (await exported(api, **other))["webhook_sources"] == []


async def test_a_dry_run_names_exactly_the_changed_fields_and_bindings(api: Api) -> None:
    before = await source_of(api, "billing")
    bundle = await exported(api)
    changed = copy.deepcopy(bundle)
    source = changed["webhook_sources"][0]
    source |= {"secret_refs": ["signing", "signing-next"], "rate_limit_per_s": 50, "id": None}
    source["bindings"][1]["event_types"] = ["charge.succeeded"]  # an edit: a new binding

    dry = await import_(api, changed, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["changes"] == [
        change("webhook_source", "billing", "update", ["rate_limit_per_s", "secret_refs"]),
        {
            "kind": "webhook_binding",
            "name": "billing",
            "action": "delete",
            "fields": BINDING_FIELDS,
        },
        {
            "kind": "webhook_binding",
            "name": "billing",
            "action": "create",
            "fields": BINDING_FIELDS,
        },
    ]
    assert await source_of(api, "billing") == before

    applied = await import_(api, changed)
    assert applied.json()["changes"] == dry.json()["changes"], applied.text
    after = await source_of(api, "billing")
    assert (after["id"], after["version"], after["rate_limit_per_s"]) == (before["id"], 2, 50)
    kept, new = after["bindings"]
    assert kept == before["bindings"][0]  # the forward, untouched (same id)
    assert (new["event_types"], new["operation"]) == (["charge.succeeded"], "sync")
    assert (await import_(api, changed)).json()["changed"] == 0


async def test_a_connector_may_drop_an_operation_whose_binding_the_bundle_drops(api: Api) -> None:
    bundle = await exported(api)
    operations = bundle["connectors"][0]["config"]["operations"]
    del operations["sync"]
    assert await refused_at(api, bundle) == ["/webhook_sources/0/bindings/1/operation"]

    bundle["webhook_sources"][0]["bindings"].pop(1)
    dropped = await import_(api, bundle)
    assert dropped.status_code == 200, dropped.text
    assert [b["action"] for b in (await source_of(api, "billing"))["bindings"]] == ["forward"]
    # A bundle that leaves the sources alone still may not drop what they bind.
    await bind(api, (await source_of(api, "billing"))["id"], JOB | {"operation": "refund"})
    del bundle["webhook_sources"]
    bundle["connectors"][0]["config"]["operations"] = {"other": {"method": "GET", "path": "/x"}}
    assert await refused_at(api, bundle) == ["/connectors/0/config/operations/refund"]


async def test_a_pruning_import_deletes_unlisted_sources_and_bindings(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    bundle = await exported(api)
    extra = {"name": "extra", "provider": "github", "secret_refs": ["signing-next"]}
    made = await api.write("POST", SOURCES, extra)
    assert made.status_code == 201, made.text
    await bind(api, (await source_of(api, "billing"))["id"], FORWARD)
    audited = await audit_count(owner_sessions, tenant.tenant_id)

    # Without the member, even a prune leaves every source and binding as it is.
    alone = {k: v for k, v in bundle.items() if k != "webhook_sources"}
    assert (await import_(api, alone, prune="true")).json()["changed"] == 0
    # With it, a source gets exactly its listed bindings; only a prune deletes sources.
    kept = await import_(api, bundle)
    assert [(c["kind"], c["action"]) for c in kept.json()["changes"]] == [
        ("webhook_binding", "delete")
    ]
    assert {s["name"] for s in await api.every(SOURCES)} == {"billing", "extra"}
    pruned = await import_(api, bundle, prune="true")
    assert pruned.status_code == 200, pruned.text
    fields = sorted(set(bundle["webhook_sources"][0]) - {"name", "id", "bindings"})
    assert pruned.json()["changes"] == [change("webhook_source", "extra", "delete", fields)]
    assert [s["name"] for s in await api.every(SOURCES)] == ["billing"]
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited + 2
    # The ref only the pruned source used may go now, in the same kind of import.
    bundle["secret_refs"] = [r for r in bundle["secret_refs"] if r["name"] != "signing-next"]
    assert (await import_(api, bundle, prune="true")).status_code == 200
    assert (await api.call("GET", "/secret-refs/signing-next")).status_code == 404


async def test_invalid_sources_and_bindings_are_422s_with_pointers(api: Api) -> None:
    bundle = await exported(api)
    bundle["webhook_sources"] += [
        {"name": "Bad Name", "provider": "nope", "secret_refs": ["missing"]},
        {
            "name": "hooks",
            "provider": "github",
            "secret_refs": [],
            "bindings": [
                {"action": "job", "connector": "ghost", "operation": "x"},
                {"action": "job", "connector": "orders", "operation": "ship"},
                {"action": "forward", "forward_url": "http://169.254.169.254/"},
            ],
        },
    ]
    assert await refused_at(api, bundle) == [
        "/webhook_sources/1/name",
        "/webhook_sources/1/provider",
        "/webhook_sources/1/secret_refs/0",
        "/webhook_sources/2/bindings/0/connector",
        "/webhook_sources/2/bindings/1/operation",
        "/webhook_sources/2/bindings/2/forward_url",
        "/webhook_sources/2/secret_refs",
    ]
    assert {s["name"] for s in await api.every(SOURCES)} == {"billing"}
