"""Drafts through the control-api (ADR 0078): several changes staged in any order, the
diff and the refusal activating would meet, and activation as one version."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def limit(n: int) -> dict[str, Any]:
    return {"rate_limit": {"limit": n, "period_s": 60}}


def connector(name: str, policy: str) -> dict[str, Any]:
    return {
        "type": "http",
        "config": {
            "base_url": "http://127.0.0.1:9/",
            "operations": {"ping": {"method": "GET", "path": "/ping"}},
        },
        "policy": policy,
    }


def rate(policy: dict[str, Any]) -> int:
    """A policy's rate limit, as stored (specs are kept whole, defaults filled in)."""
    return int(policy["spec"]["rate_limit"]["limit"])


async def opened(api: Api, title: str, **body: Any) -> dict[str, Any]:
    made = await api.write("POST", "/drafts", {"title": title, **body})
    assert made.status_code == 201, made.text
    draft: dict[str, Any] = made.json()
    return draft


async def versions(api: Api) -> list[int]:
    return [v["number"] for v in await api.every("/versions")]


async def test_changes_staged_in_a_draft_become_one_version_when_activated(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/policies", {"name": "slow", "spec": limit(1)})).is_success
    draft = await opened(api, "raise the limit and add billing")
    assert draft["base"] == 1
    assert [(p["name"], rate(p)) for p in draft["content"]["policies"]] == [("slow", 1)]
    items = f"/drafts/{draft['id']}/items"

    # The connector first, naming a policy the draft does not hold yet: staged anyway.
    put = await api.write("PUT", f"{items}/connectors/billing", connector("billing", "fast"))
    assert put.status_code == 200, put.text
    refused = (await api.call("GET", f"/drafts/{draft['id']}/diff")).json()["refused"]
    assert refused["status"] == 422, refused
    assert "fast" in str(refused)
    assert (await api.write("PUT", f"{items}/policies/fast", {"spec": limit(50)})).is_success
    assert (await api.write("PUT", f"{items}/policies/slow", {"spec": limit(5)})).is_success

    # Nothing reached the configuration yet: no version, the old limit.
    assert await versions(api) == [1]
    assert rate((await api.call("GET", "/policies/slow")).json()) == 1
    diff = (await api.call("GET", f"/drafts/{draft['id']}/diff")).json()
    assert diff["refused"] is None, diff
    assert (diff["base"], diff["active"]) == (1, 1)
    assert [(c["kind"], c["name"], c["change"]) for c in diff["changes"]] == [
        ("policies", "fast", "added"),
        ("policies", "slow", "changed"),
        ("connectors", "billing", "added"),
    ]
    # Staged specs are kept complete, as the write stores them: only the limit differs.
    assert diff["changes"][1]["fields"] == [
        {"pointer": "/spec/rate_limit/limit", "before": 1, "after": 5}
    ]

    done = await api.write("POST", f"/drafts/{draft['id']}/activate", reason="launch billing")
    assert done.status_code == 200, done.text
    assert done.json() == {"version": 2, "active": 2}
    assert await versions(api) == [2, 1]
    assert rate((await api.call("GET", "/policies/slow")).json()) == 5
    assert (await api.call("GET", "/connectors/billing")).json()["policy"] == "fast"
    newest = (await api.every("/versions"))[0]
    assert (newest["reason"], newest["summary"]) == (
        "launch billing",
        "policies +fast ~slow; connectors +billing",
    )
    # Activated, the draft is gone; the audit log tells its story.
    assert (await api.call("GET", f"/drafts/{draft['id']}")).status_code == 404
    story = [e["action"] for e in await api.every("/audit", target=f"draft:{draft['id']}")]
    assert sorted(story) == sorted(["draft.open", *["draft.edit"] * 3, "draft.activate"])


async def test_a_draft_opened_before_another_change_is_refused_until_reviewed(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/policies", {"name": "p", "spec": limit(1)})).is_success
    draft = await opened(api, "remove p")
    assert (await api.write("DELETE", f"/drafts/{draft['id']}/items/policies/p")).status_code == 204
    missing = await api.write("DELETE", f"/drafts/{draft['id']}/items/policies/p")
    assert missing.status_code == 404
    assert (await api.write("PUT", "/policies/p", {"spec": limit(2)})).is_success  # version 2

    stale = await api.write("POST", f"/drafts/{draft['id']}/activate")
    assert stale.status_code == 409, stale.text
    assert stale.json()["active"] == 2
    assert (await api.call("GET", "/policies/p")).status_code == 200  # nothing written

    reviewed = await api.write("POST", f"/drafts/{draft['id']}/activate", expected_active_version=2)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json() == {"version": 3, "active": 3}
    assert (await api.call("GET", "/policies/p")).status_code == 404


async def test_a_draft_refuses_items_of_the_wrong_shape_and_can_be_discarded(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/policies", {"name": "p", "spec": limit(1)})).is_success
    draft = await opened(api, "try things", from_version=1)
    items = f"/drafts/{draft['id']}/items"
    for path, body in [
        (f"{items}/policies/p", {"spec": "not an object"}),
        (f"{items}/policies/p", {"name": "q", "spec": limit(1)}),
        (f"{items}/policies/p", {"spec": {"rate_limit": {"limit": -1, "period_s": 60}}}),
        (f"{items}/connectors/c", {"type": "http", "unknown": 1}),
        (f"{items}/configs/c", {"document": {"text": "nul \u0000 inside"}}),
    ]:
        bad = await api.write("PUT", path, body)
        assert bad.status_code == 422, (path, body, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
    unknown = await api.write("PUT", f"{items}/tenants/p", {"spec": limit(1)})
    assert unknown.status_code == 404
    assert (await api.write("PUT", f"{items}/policies/p", {"spec": limit(9)})).is_success

    listed = (await api.call("GET", "/drafts")).json()["items"]
    assert [(d["id"], d["title"], "content" in d and d["content"]) for d in listed] == [
        (draft["id"], "try things", None)
    ]
    gone = await api.write("DELETE", f"/drafts/{draft['id']}")
    assert gone.status_code == 204
    assert (await api.call("GET", "/drafts")).json()["items"] == []
    assert rate((await api.call("GET", "/policies/p")).json()) == 1
    assert await versions(api) == [1]


async def test_a_version_exports_as_a_bundle(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/policies", {"name": "p", "spec": limit(1)})).is_success
    assert (await api.write("PUT", "/policies/p", {"spec": limit(2)})).is_success
    old = await api.call("GET", "/bundles/export", params={"version": 1})
    assert old.status_code == 200, old.text
    assert [rate(p) for p in old.json()["policies"]] == [1]
    assert old.json()["tenant"]["id"] == str(tenant.tenant_id)
    now = (await api.call("GET", "/bundles/export")).json()
    assert [rate(p) for p in now["policies"]] == [2]
    assert (await api.call("GET", "/bundles/export", params={"version": 9})).status_code == 404
