"""Bundles: a workspace's whole configuration exported and imported, idempotently."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import AuditLog
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack
from tests.support.webhooks import bind, slack_source

pytestmark = pytest.mark.integration

SECTIONS = [
    *("tenant", "policies", "secret_refs", "connectors", "configs"),
    *("workflows", "schedules", "webhook_sources"),
]


def sample_bundle() -> dict[str, Any]:
    return {
        "tenant": {
            "quotas": {
                "rps": 100,
                "concurrency": 10,
                "queue_depth": None,
                "monthly_calls": 250_000,
                "events_keep_days": 14,
            }
        },
        "policies": [
            {"name": "default", "spec": {"retry": {"max_attempts": 4}}},
            {"name": "strict", "spec": {"rate_limit": {"limit": 5}}},
        ],
        "secret_refs": [
            {"name": "token", "ref": "env://ORCH_TENANT_SECRET_UPSTREAM_TOKEN"},
            {"name": "stored", "ref": "db://"},
        ],
        "connectors": [
            {
                "name": "users",
                "type": "http",
                "config": {
                    "base_url": "http://127.0.0.1:9/v1",
                    "auth": {"type": "bearer", "secret": "api_token"},
                    "operations": {"get_user": {"method": "GET", "path": "/users/{id}"}},
                },
                "policy": "default",
                "secrets": {"api_token": "token"},
            }
        ],
        "configs": [{"name": "routing", "document": {"region": "eu", "weights": [1, 2]}}],
    }


async def audit_count(
    owner_sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> int:
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        count = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.tenant_id == tenant_id)
        )
    return int(count or 0)


async def import_(api: Api, bundle: Any, **params: Any) -> httpx.Response:
    return await api.write("POST", "/bundles/import", bundle, **params)


async def versions(api: Api) -> dict[str, int]:
    """Every item's version, by kind and name."""
    found: dict[str, int] = {}
    for path in ("/policies", "/secret-refs", "/connectors"):
        for item in (await api.call("GET", path)).json()["items"]:
            found[f"{path}/{item['name']}"] = item["version"]
    for item in (await api.call("GET", "/configs")).json()["items"]:
        found[f"/configs/{item['name']}"] = item["latest_version"]
    found["/quotas"] = (await api.call("GET", "/quotas")).json()["version"]
    return found


async def sibling(api: Api, prefix: str) -> dict[str, str]:
    """A new workspace of the tenant's organization, as the ``workspace`` query parameter."""
    made = await api.call(
        "POST",
        "/workspaces",
        json={"name": f"{prefix}-{uuid.uuid4().hex[:6]}", "environment": "dev", "reason": "test"},
    )
    assert made.status_code == 201, made.text
    return {"workspace": made.json()["id"]}


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    """The tenant's admin operator on the control-api."""
    return await operator_api(http, stack, tenant)


async def test_an_empty_workspace_exports_a_bundle_that_imports_as_a_no_op(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    empty = (await api.call("GET", "/bundles/export")).json()
    assert empty["tenant"]["quotas"] == {
        "rps": None,
        "concurrency": None,
        "queue_depth": None,
        "monthly_calls": None,
        "events_keep_days": None,
        "finished_jobs_keep_days": None,
        "webhook_inbox_keep_days": None,
        "versions_keep": None,
        "versions_keep_days": None,
    }
    response = await import_(api, empty)
    assert response.json() == {"dry_run": False, "changed": 0, "unchanged": 1, "changes": []}
    assert (await api.call("GET", "/quotas")).json()["version"] == 0
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited


async def test_import_export_and_reimport_changes_nothing_the_second_time(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await import_(api, sample_bundle())
    assert first.status_code == 200, first.text
    assert (first.json()["changed"], first.json()["unchanged"]) == (7, 0)
    assert {(c["kind"], c["action"]) for c in first.json()["changes"]} == {
        ("policy", "create"),
        ("secret_ref", "create"),
        ("connector", "create"),
        ("config", "create"),
        ("quota", "create"),
    }
    await api.write("PUT", "/secret-refs/stored/value", {"value": "never-exported"})
    before = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))

    exported = await api.call("GET", "/bundles/export")
    assert exported.status_code == 200, exported.text
    bundle = exported.json()
    assert list(bundle) == SECTIONS
    assert bundle["tenant"]["id"] == str(tenant.tenant_id)
    assert set(bundle["tenant"]) == {"id", "name", "environment", "quotas"}
    assert bundle["tenant"]["quotas"] == {
        "rps": 100,
        "concurrency": 10,
        "queue_depth": None,
        "monthly_calls": 250_000,
        "events_keep_days": 14,
        "finished_jobs_keep_days": None,
        "webhook_inbox_keep_days": None,
        "versions_keep": None,
        "versions_keep_days": None,
    }
    assert bundle["secret_refs"] == sample_bundle()["secret_refs"][::-1]  # by name
    assert "never-exported" not in exported.text
    assert bundle["policies"][0]["spec"]["retry"]["max_attempts"] == 4

    for again in (sample_bundle(), bundle):
        response = await import_(api, again)
        assert response.status_code == 200, response.text
        assert response.json() == {"dry_run": False, "changed": 0, "unchanged": 7, "changes": []}
    after = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))
    assert after == before
    assert (await api.call("GET", "/secret-refs/stored")).json()["has_value"] is True


async def test_a_dry_run_reports_the_diff_and_writes_nothing(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await import_(api, sample_bundle())).status_code == 200
    before = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))

    changed = sample_bundle()
    changed["policies"][0]["spec"] = {"retry": {"max_attempts": 9}}
    changed["connectors"][0]["enabled"] = False
    changed["configs"].append({"name": "feature-flags", "document": {"beta": True}})
    response = await import_(api, changed, dry_run="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["dry_run"], report["changed"], report["unchanged"]) == (True, 3, 5)
    assert report["changes"] == [
        {"kind": "policy", "name": "default", "action": "update", "fields": ["spec"]},
        {"kind": "connector", "name": "users", "action": "update", "fields": ["enabled"]},
        {"kind": "config", "name": "feature-flags", "action": "create", "fields": ["document"]},
    ]
    after = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))
    assert after == before
    assert (await api.call("GET", "/configs/feature-flags")).status_code == 404

    applied = await import_(api, changed)
    assert applied.json()["changes"] == report["changes"]
    assert (await api.call("GET", "/policies/default")).json()["version"] == 2
    assert await audit_count(owner_sessions, tenant.tenant_id) == before[1] + 3


async def test_an_invalid_bundle_writes_nothing_and_lists_every_error(
    api: Api,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    bundle = sample_bundle()
    bundle["tenant"]["quotas"]["rps"] = 0
    bundle["policies"].append({"name": "default", "spec": {}})
    bundle["policies"].append({"name": "broken", "spec": {"timeout": {"read_s": -1}}})
    bundle["secret_refs"].append({"name": "Bad Name", "ref": "http://example.com"})
    bundle["connectors"].append({"name": "pigeon", "type": "carrier-pigeon"})
    bundle["connectors"].append(
        {
            "name": "orphan",
            "type": "http",
            "config": sample_bundle()["connectors"][0]["config"],
            "policy": "missing",
        }
    )
    response = await import_(api, bundle)
    assert response.status_code == 422, response.text
    assert sorted(e["key"] for e in response.json()["errors"]) == [
        "/connectors/1/type",
        "/connectors/2/policy",
        "/connectors/2/secrets/api_token",
        "/policies/2/name",
        "/policies/3/spec/timeout/read_s",
        "/secret_refs/2/name",
        "/secret_refs/2/ref",
        "/tenant/quotas/rps",
    ]
    assert "8 error(s)" in response.json()["detail"]
    exported = (await api.call("GET", "/bundles/export")).json()
    assert [exported[s] for s in SECTIONS[1:]] == [[]] * 7
    assert exported["tenant"]["quotas"] == {
        "rps": None,
        "concurrency": None,
        "queue_depth": None,
        "monthly_calls": None,
        "events_keep_days": None,
        "finished_jobs_keep_days": None,
        "webhook_inbox_keep_days": None,
        "versions_keep": None,
        "versions_keep_days": None,
    }
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited
    # A body that is not a bundle at all is refused before any of that.
    assert (await import_(api, {"policies": {}})).status_code == 400
    # U+0000 anywhere (here a schedule's workflow, which the check looks up) is a 422
    # before any query: PostgreSQL's text cannot hold it (a 500 once).
    nul = {"schedules": [{"name": "s", "cron": "* * * * *", "workflow": "w\u0000"}]}
    refused = await import_(api, nul)
    assert refused.status_code == 422, refused.text
    assert [e["key"] for e in refused.json()["errors"]] == ["/schedules/0/workflow"]
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited


async def test_an_export_imported_into_a_sibling_workspace_clones_it(
    api: Api, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    await import_(api, sample_bundle())
    target = await sibling(api, "clone")
    source = (await api.call("GET", "/bundles/export")).json()
    cloned = await import_(api, source, **target)
    assert cloned.json()["changed"] == 7, cloned.text
    copy = (await api.call("GET", "/bundles/export", params=target)).json()
    assert copy["tenant"]["id"] == target["workspace"]
    assert {s: copy[s] for s in SECTIONS[1:]} == {s: source[s] for s in SECTIONS[1:]}
    assert copy["tenant"]["quotas"] == source["tenant"]["quotas"]


async def add_extras(api: Api) -> None:
    """One policy, secret ref, connector (using both) and config no bundle lists."""
    for path, body in (
        ("/policies", {"name": "extra", "spec": {"retry": {"max_attempts": 2}}}),
        ("/secret-refs", {"name": "extra-token", "ref": "env://ORCH_TENANT_SECRET_EXTRA_TOKEN"}),
        (
            "/connectors",
            {
                "name": "extra",
                "type": "http",
                "config": sample_bundle()["connectors"][0]["config"],
                "policy": "extra",
                "secrets": {"api_token": "extra-token"},
            },
        ),
    ):
        made = await api.write("POST", path, body)
        assert made.status_code == 201, made.text
    config = await api.write("PUT", "/configs/extra", {"document": {"on": True}})
    assert config.status_code == 200, config.text


async def test_a_pruning_import_deletes_what_the_bundle_does_not_list(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await import_(api, sample_bundle())).status_code == 200
    exported = (await api.call("GET", "/bundles/export")).json()
    await add_extras(api)
    before = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))

    # Without prune (the default) the extras stay.
    kept = await import_(api, exported)
    assert kept.json() == {"dry_run": False, "changed": 0, "unchanged": 7, "changes": []}

    dry = await import_(api, exported, prune="true", dry_run="true")
    assert dry.status_code == 200, dry.text
    connector_fields = ["config", "enabled", "policy", "secrets", "type"]
    deleted = [
        {"kind": "connector", "name": "extra", "action": "delete", "fields": connector_fields},
        {"kind": "policy", "name": "extra", "action": "delete", "fields": ["spec"]},
        {"kind": "secret_ref", "name": "extra-token", "action": "delete", "fields": ["ref"]},
    ]
    assert dry.json() == {"dry_run": True, "changed": 3, "unchanged": 7, "changes": deleted}
    after_dry = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))
    assert after_dry == before

    pruned = await import_(api, exported, prune="true")
    assert pruned.status_code == 200, pruned.text
    assert pruned.json() == {"dry_run": False, "changed": 3, "unchanged": 7, "changes": deleted}
    for path in ("/connectors/extra", "/policies/extra", "/secret-refs/extra-token"):
        assert (await api.call("GET", path)).status_code == 404, path
    # Configs are never pruned: their versions are immutable history.
    assert (await api.call("GET", "/configs/extra")).status_code == 200
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    assert audited == before[1] + 3
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        actions = await session.scalars(
            select(AuditLog.action)
            .where(AuditLog.tenant_id == tenant.tenant_id, AuditLog.action.like("%.delete"))
            .order_by(AuditLog.id)
        )
        assert list(actions) == ["connector.delete", "policy.delete", "secret_ref.delete"]

    settled = await versions(api)
    again = await import_(api, exported, prune="true")
    assert again.json() == {"dry_run": False, "changed": 0, "unchanged": 7, "changes": []}
    assert (await versions(api), await audit_count(owner_sessions, tenant.tenant_id)) == (
        settled,
        audited,
    )


async def test_a_pruning_import_keeps_only_references_to_what_the_bundle_brings(api: Api) -> None:
    await add_extras(api)
    bundle = sample_bundle()
    bundle["connectors"][0]["policy"] = "extra"  # stored, but pruned by this import
    assert (await import_(api, bundle)).status_code == 200
    refused = await import_(api, bundle, prune="true")
    assert refused.status_code == 422, refused.text
    assert [e["key"] for e in refused.json()["errors"]] == ["/connectors/0/policy"]


async def test_a_prune_that_would_unbind_a_webhook_source_writes_nothing(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await import_(api, sample_bundle())).status_code == 200
    await add_extras(api)
    source = await slack_source(api, "slack-main", {})
    assert source.status_code == 201, source.text
    binding = {"action": "job", "connector": "extra", "operation": "get_user"}
    await bind(api, source.json()["id"], binding)
    before = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))

    bundle = sample_bundle()
    bundle["secret_refs"].append(
        {"name": "slack-main-secret", "ref": "env://ORCH_TENANT_SECRET_UNUSED"}
    )
    bundle["policies"][0]["spec"] = {"retry": {"max_attempts": 9}}  # an update, rolled back
    for params in ({"dry_run": "true"}, {}):
        refused = await import_(api, bundle, prune="true", **params)
        assert refused.status_code == 409, refused.text
        assert refused.json()["used_by_webhook_sources"] == ["slack-main"]
        assert "Connector `extra`" in refused.json()["detail"]
    after = (await versions(api), await audit_count(owner_sessions, tenant.tenant_id))
    assert after == before
    assert (await api.call("GET", "/connectors/extra")).status_code == 200


# Workflows and schedules.

KINDS = ("workflow", "schedule")
OPS = {
    "get_user": {"method": "GET", "path": "/users/{id}"},
    "create_user": {"method": "POST", "path": "/users"},
    "delete_user": {"method": "DELETE", "path": "/users/{id}"},
}


def automation_bundle() -> dict[str, Any]:
    """The sample bundle with a 2-step workflow, a job schedule and a workflow schedule."""
    bundle = sample_bundle()
    bundle["connectors"][0]["config"]["operations"] = OPS
    bundle["workflows"] = [
        {
            "name": "onboard",
            "steps": [
                {
                    "name": "create",
                    "connector": "users",
                    "operation": "create_user",
                    "payload": {"body": {"email": {"$ref": "/input/email"}}},
                    "compensation": {
                        "operation": "delete_user",
                        "payload": {"id": {"$ref": "/steps/create/output/id"}},
                    },
                },
                {
                    "name": "fetch",
                    "connector": "users",
                    "operation": "get_user",
                    "payload": {"id": {"$ref": "/steps/create/output/id"}},
                },
            ],
        }
    ]
    bundle["schedules"] = [
        {
            "name": "nightly-onboard",
            "cron": "0 2 * * *",
            "timezone": "Europe/Berlin",
            "workflow": "onboard",
            "payload": {"email": "a@example.com"},
        },
        {
            "name": "poll-user",
            "cron": "*/15 * * * *",
            "connector": "users",
            "operation": "get_user",
            "payload": {"id": "42"},
        },
    ]
    return bundle


async def automation(api: Api) -> dict[str, Any]:
    """The workspace's workflows and schedules as the API shows them, by name."""
    found: dict[str, Any] = {}
    for path in ("/workflows", "/schedules"):
        response = await api.call("GET", path)
        assert response.status_code == 200, response.text
        for item in response.json()["items"]:
            found[f"{path}/{item['name']}"] = item
    return found


async def test_workflows_and_schedules_import_export_and_reimport_as_a_no_op(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await import_(api, automation_bundle())
    assert first.status_code == 200, first.text
    assert first.json()["changed"] == 10
    changes = first.json()["changes"]
    assert [(c["kind"], c["name"], c["action"]) for c in changes if c["kind"] in KINDS] == [
        ("workflow", "onboard", "create"),
        ("schedule", "nightly-onboard", "create"),
        ("schedule", "poll-user", "create"),
    ]
    made = await automation(api)
    assert [s["name"] for s in made["/workflows/onboard"]["steps"]] == ["create", "fetch"]
    assert made["/schedules/nightly-onboard"]["workflow"] == "onboard"
    assert made["/schedules/poll-user"]["connector"] == "users"
    assert all(made[f"/schedules/{n}"]["next_run_at"] for n in ("nightly-onboard", "poll-user"))
    audited = await audit_count(owner_sessions, tenant.tenant_id)

    exported = (await api.call("GET", "/bundles/export")).json()
    assert list(exported) == SECTIONS
    assert [w["name"] for w in exported["workflows"]] == ["onboard"]
    assert [s["name"] for s in exported["schedules"]] == ["nightly-onboard", "poll-user"]
    for again in (automation_bundle(), exported):
        response = await import_(api, again)
        assert response.json() == {"dry_run": False, "changed": 0, "unchanged": 10, "changes": []}
    # Nothing was written: same versions, same next_run_at, no audit record.
    assert await automation(api) == made
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited

    # A fresh workspace gets them from the export, each schedule due at its next time.
    target = await sibling(api, "auto")
    cloned = await import_(api, exported, **target)
    assert cloned.status_code == 200, cloned.text
    copy = (await api.call("GET", "/bundles/export", params=target)).json()
    assert {s: copy[s] for s in SECTIONS[1:]} == {s: exported[s] for s in SECTIONS[1:]}
    for name in ("nightly-onboard", "poll-user"):
        shown = await api.call("GET", f"/schedules/{name}", params=target)
        assert shown.json()["next_run_at"] is not None


async def test_a_changed_schedule_is_retimed_and_an_unchanged_one_keeps_its_time(api: Api) -> None:
    assert (await import_(api, automation_bundle())).status_code == 200
    before = await automation(api)
    bundle = automation_bundle()
    bundle["schedules"][1]["cron"] = "0 * * * *"
    response = await import_(api, bundle)
    assert response.json()["changes"] == [
        {"kind": "schedule", "name": "poll-user", "action": "update", "fields": ["cron"]}
    ]
    after = await automation(api)
    assert after["/schedules/nightly-onboard"] == before["/schedules/nightly-onboard"]
    assert after["/schedules/poll-user"]["version"] == 2
    # Recomputed for the new cron: on the hour.
    next_run = dt.datetime.fromisoformat(after["/schedules/poll-user"]["next_run_at"])
    assert (next_run.minute, next_run.second) == (0, 0)


async def test_a_dry_run_of_workflows_and_schedules_writes_nothing(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    dry = await import_(api, automation_bundle(), dry_run="true")
    assert dry.status_code == 200, dry.text
    assert (dry.json()["dry_run"], dry.json()["changed"]) == (True, 10)
    assert {(c["kind"], c["name"]) for c in dry.json()["changes"]} >= {
        ("workflow", "onboard"),
        ("schedule", "nightly-onboard"),
        ("schedule", "poll-user"),
    }
    assert await automation(api) == {}
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited


async def test_invalid_workflows_and_schedules_are_422s_with_pointers(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    bundle = automation_bundle()
    bundle["workflows"][0]["steps"][1]["connector"] = "nowhere"
    bundle["schedules"][0]["workflow"] = "missing"
    bundle["schedules"][1]["cron"] = "every tuesday"
    bundle["schedules"].append({"name": "two", "cron": "@daily", "workflow": "onboard"})
    bundle["schedules"][2]["connector"] = "users"
    response = await import_(api, bundle)
    assert response.status_code == 422, response.text
    assert sorted(e["key"] for e in response.json()["errors"]) == [
        "/schedules/0/workflow",
        "/schedules/1/cron",
        "/schedules/2/connector",
        "/workflows/0/steps/1/connector",
    ]
    assert await automation(api) == {}
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited
    # A connector only the workspace has (not the bundle) resolves as stored: it lacks
    # the operations the bundle's version of it adds.
    assert (await import_(api, sample_bundle())).status_code == 200
    only_stored = automation_bundle()
    only_stored["connectors"] = []
    only_stored["schedules"] = []
    response = await import_(api, only_stored, dry_run="true")
    assert sorted(e["key"] for e in response.json()["errors"]) == [
        "/workflows/0/steps/0/compensation/operation",
        "/workflows/0/steps/0/operation",
    ]
    pruning = automation_bundle()
    pruning["connectors"] = []
    refused = await import_(api, pruning, prune="true", dry_run="true")
    assert refused.status_code == 422, refused.text
    assert sorted(e["key"] for e in refused.json()["errors"]) == [
        "/schedules/1/connector",
        "/workflows/0/steps/0/compensation/connector",
        "/workflows/0/steps/0/connector",
        "/workflows/0/steps/1/connector",
    ]


async def test_a_pruning_import_deletes_unlisted_schedules_and_workflows(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await import_(api, automation_bundle())).status_code == 200
    bundle = automation_bundle()
    bundle["workflows"] = []
    bundle["schedules"] = [bundle["schedules"][1]]
    audited = await audit_count(owner_sessions, tenant.tenant_id)
    deleted = [
        {
            "kind": "schedule",
            "name": "nightly-onboard",
            "action": "delete",
            "fields": [
                "callback_url",
                "connector",
                "cron",
                "enabled",
                "operation",
                "payload",
                "timezone",
                "workflow",
            ],
        },
        {"kind": "workflow", "name": "onboard", "action": "delete", "fields": ["steps"]},
    ]
    # Without prune, nothing goes; an old bundle (no such members) leaves them even pruning.
    assert (await import_(api, bundle)).json()["changed"] == 0
    old = sample_bundle()
    old["connectors"][0]["config"]["operations"] = OPS
    assert (await import_(api, old, prune="true")).json()["changed"] == 0
    dry = await import_(api, bundle, prune="true", dry_run="true")
    assert dry.json() == {"dry_run": True, "changed": 2, "unchanged": 8, "changes": deleted}
    assert len(await automation(api)) == 3
    pruned = await import_(api, bundle, prune="true")
    assert pruned.json() == {"dry_run": False, "changed": 2, "unchanged": 8, "changes": deleted}
    assert list(await automation(api)) == ["/schedules/poll-user"]
    assert await audit_count(owner_sessions, tenant.tenant_id) == audited + 2


async def test_a_prune_refuses_to_delete_a_workflow_a_kept_schedule_starts(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    assert (await import_(api, automation_bundle())).status_code == 200
    before = (await automation(api), await audit_count(owner_sessions, tenant.tenant_id))
    bundle = automation_bundle()
    bundle["workflows"] = []
    del bundle["schedules"]  # left alone, so `nightly-onboard` stays
    bundle["policies"][0]["spec"] = {"retry": {"max_attempts": 9}}  # an update, rolled back
    for params in ({"dry_run": "true"}, {}):
        refused = await import_(api, bundle, prune="true", **params)
        assert refused.status_code == 409, refused.text
        assert refused.json()["used_by_schedules"] == ["nightly-onboard"]
        assert "Workflow `onboard`" in refused.json()["detail"]
    assert (await automation(api), await audit_count(owner_sessions, tenant.tenant_id)) == before
