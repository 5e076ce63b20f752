"""Every control-plane list pages by cursor: each row once, in key order, within one tenant."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from orchestrator.core.db.pages import MAX_LIMIT, encode_cursor
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token
from tests.support.stack import Stack
from tests.support.webhooks import bind, new_source, secret_ref

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
ROWS, LIMIT = 5, 2
CONNECTOR = {
    "name": "orders",
    "type": "http",
    "config": {
        "base_url": "http://127.0.0.1:9/v1",
        "operations": {"sync": {"method": "POST", "path": "/orders/sync"}},
    },
}
JOB = {"connector": "orders", "operation": "sync", "payload": {}}


async def created(response: Awaitable[httpx.Response]) -> dict[str, Any]:
    made = await response
    assert made.status_code in (200, 201), made.text
    body: dict[str, Any] = made.json()
    return body


async def with_connector(api: Api) -> None:
    await created(api.write("POST", "/connectors", CONNECTOR))


# Each maker creates ``n`` rows through the API and answers the list's path and the keys
# (names, or ids for lists ordered by creation) of what it made, in creation order.
Maker = Callable[[Api, BootstrapResult, int], Awaitable[tuple[str, list[str]]]]


def named(path: str, body: Callable[[str], dict[str, Any]], *, method: str = "POST") -> Maker:
    """Rows of a list ordered by name, each created by ``method`` with ``body(name)``."""

    async def make(api: Api, _: BootstrapResult, n: int) -> tuple[str, list[str]]:
        names = [f"page-{i}-{uuid.uuid4().hex[:6]}" for i in range(n)]
        for name in names:
            target = f"{path}/{name}" if method == "PUT" else path
            await created(api.write(method, target, body(name)))
        return path, names

    return make


async def make_connectors(api: Api, _: BootstrapResult, n: int) -> tuple[str, list[str]]:
    names = [f"page-{i}-{uuid.uuid4().hex[:6]}" for i in range(n)]
    for name in names:
        await created(api.write("POST", "/connectors", {**CONNECTOR, "name": name}))
    return "/connectors", names


async def make_schedules(api: Api, tenant: BootstrapResult, n: int) -> tuple[str, list[str]]:
    await with_connector(api)
    body = {"cron": "0 0 1 1 *", **JOB}
    return await named("/schedules", lambda name: {"name": name, **body})(api, tenant, n)


async def make_workflows(api: Api, tenant: BootstrapResult, n: int) -> tuple[str, list[str]]:
    await with_connector(api)
    steps = [{"name": "only", **JOB}]
    return await named("/workflows", lambda name: {"name": name, "steps": steps})(api, tenant, n)


async def make_sources(api: Api, _: BootstrapResult, n: int) -> tuple[str, list[str]]:
    await secret_ref(api, "hook-secret")
    names = [f"page-{i}-{uuid.uuid4().hex[:6]}" for i in range(n)]
    for name in names:
        await new_source(api, "stripe", ["hook-secret"], name=name)
    return "/webhooks/sources", names


async def make_bindings(api: Api, _: BootstrapResult, n: int) -> tuple[str, list[str]]:
    await with_connector(api)
    await secret_ref(api, "hook-secret")
    source = await new_source(api, "stripe", ["hook-secret"])
    binding = {"action": "job", "connector": "orders", "operation": "sync"}
    ids = [await bind(api, source, binding | {"event_types": [f"e{i}"]}) for i in range(n)]
    return f"/webhooks/sources/{source}/bindings", ids


async def make_operators(api: Api, tenant: BootstrapResult, n: int) -> tuple[str, list[str]]:
    ids = []
    for i in range(n):
        body = {
            "name": f"op:page-{i}-{uuid.uuid4().hex[:6]}",
            "role": "Support",
            "home_workspace_id": str(tenant.tenant_id),
        }
        ids.append((await created(api.write("POST", "/operators", json=body)))["operator"]["id"])
    return "/operators", ids


async def make_workspaces(api: Api, _: BootstrapResult, n: int) -> tuple[str, list[str]]:
    ids = []
    for i in range(n):
        body = {"name": f"page-{i}", "environment": "dev", "reason": "pagination test"}
        ids.append((await created(api.call("POST", "/workspaces", json=body)))["id"])
    return "/workspaces", ids


async def make_invites(api: Api, _: BootstrapResult, n: int) -> tuple[str, list[str]]:
    made = [await created(api.write("POST", "/channel/invites")) for _ in range(n)]
    return "/channel/invites", [invite["id"] for invite in made]


@dataclass(frozen=True)
class Kind:
    """A list, how to fill it, and what its order is."""

    make: Maker
    key: str
    """The item field that identifies a row: ``name``, or ``id`` for a list by creation."""


KINDS = {
    "policies": Kind(named("/policies", lambda name: {"name": name, "spec": {}}), "name"),
    "connectors": Kind(make_connectors, "name"),
    "secret-refs": Kind(
        named("/secret-refs", lambda name: {"name": name, "ref": "env://ORCH_TENANT_SECRET_X"}),
        "name",
    ),
    "configs": Kind(named("/configs", lambda _: {"document": {"a": 1}}, method="PUT"), "name"),
    "schedules": Kind(make_schedules, "name"),
    "workflows": Kind(make_workflows, "name"),
    "webhook-sources": Kind(make_sources, "name"),
    "webhook-bindings": Kind(make_bindings, "id"),
    "service-identities": Kind(
        named("/service-identities", lambda name: {"name": name, "scopes": ["execute"]}), "name"
    ),
    "operators": Kind(make_operators, "id"),
    "workspaces": Kind(make_workspaces, "id"),
    "channel-invites": Kind(make_invites, "id"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_each_row_is_listed_once_in_order_across_pages_and_never_another_tenants(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    kind: str,
) -> None:
    spec = KINDS[kind]
    api = await operator_api(http, stack, tenant)
    theirs = await operator_api(http, stack, other_tenant)
    path, mine = await spec.make(api, tenant, ROWS)
    _, foreign = await spec.make(theirs, other_tenant, 2)

    pages = await api.pages(path, limit=LIMIT)
    assert all(len(page["items"]) <= LIMIT for page in pages)
    assert all(page["next_cursor"] for page in pages[:-1])
    assert pages[-1]["next_cursor"] is None
    walked = [item[spec.key] for page in pages for item in page["items"]]
    assert len(pages) >= -(-ROWS // LIMIT)
    assert len(walked) == len(set(walked)), walked  # no row twice
    assert [key for key in walked if key in mine] == mine  # each once, in key order
    assert not set(walked) & set(foreign)

    # A client that reads `items` only still gets the whole of a small list in one page.
    first = await api.call("GET", path)
    assert first.status_code == 200, first.text
    assert first.json()["next_cursor"] is None
    assert [item[spec.key] for item in first.json()["items"]] == walked


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_a_limit_above_the_maximum_and_a_cursor_this_api_did_not_return_are_problems(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, kind: str
) -> None:
    api = await operator_api(http, stack, tenant)
    path, _ = await KINDS[kind].make(api, tenant, 1)
    for limit in (MAX_LIMIT + 1, 0):
        refused = await api.call("GET", path, params={"limit": limit})
        assert refused.status_code in (400, 422), refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
    garbage = [
        "not a cursor",
        encode_cursor(["a", "b", "c"]),  # a key of no list
        base64.urlsafe_b64encode(b'["\\u0000"]').decode(),  # NUL: PostgreSQL cannot compare it
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ]
    for cursor in garbage:
        refused = await api.call("GET", path, params={"cursor": cursor})
        assert refused.status_code == 400, (cursor, refused.text)
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["detail"] == "`cursor` is not a cursor this API returned."


async def test_organizations_page_oldest_first(
    stack: Stack, http: httpx.AsyncClient, platform_operator: tuple[str, str]
) -> None:
    base = stack.url("control-api")
    platform = Api(http, base, await fetch_token(http, base, *platform_operator))
    made = []
    for _ in range(3):
        body = {
            "name": f"org-{uuid.uuid4().hex[:8]}",
            "admin": {"name": "op:first-admin"},
            "workspace": {"name": "shop-dev"},
        }
        made.append(
            (await created(platform.write("POST", "/organizations", json=body)))["organization"]
        )

    # The session's other tests made organizations too: walk them all from the oldest.
    pages = await platform.pages("/organizations", limit=LIMIT)
    assert pages[-1]["next_cursor"] is None
    walked = [org["id"] for page in pages for org in page["items"]]
    assert len(walked) == len(set(walked))
    assert [i for i in walked if i in {org["id"] for org in made}] == [org["id"] for org in made]
    stamps = [
        dt.datetime.fromisoformat(org["created_at"]) for page in pages for org in page["items"]
    ]
    assert stamps == sorted(stamps)

    refused = await platform.call("GET", "/organizations", params={"cursor": "x"})
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
