"""Reading the audit log on the control-api (``GET /api/v1/audit``): changes made through the
API come back newest first with their reasons, filtered and paged, only to auditors and
admins, only the workspace's own, never with a secret value; reading adds no record."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.audit import repository
from orchestrator.core.audit.cursor import AuditPosition
from orchestrator.core.audit.repository import AuditFilter
from orchestrator.core.auth.claims import OperatorRole
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import Workspace
from orchestrator.core.tenancy.service import BootstrapResult, ensure_operator
from tests.integration.test_config_api import audit_records
from tests.integration.test_operators_api import as_operator, create_operator
from tests.support.control_api import Api, operator_api
from tests.support.factories import decode_unverified, fetch_token, new_auditor
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
FIELDS = {
    "id",
    "actor",
    "action",
    "target",
    "reason",
    "before",
    "after",
    "request_id",
    "impersonation",
    "created_at",
}


@pytest.fixture
async def api(stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult) -> Api:
    return await operator_api(http, stack, tenant)


def actor_of(api: Api) -> str:
    """The operator name the API's token stands for (its ``sub``)."""
    return str(decode_unverified(api.headers["Authorization"].removeprefix("Bearer "))["sub"])


async def change(api: Api, method: str, path: str, body: Any, reason: str, **params: Any) -> None:
    """A mutation with its own reason."""
    response = await api.call(method, path, json=body, params={"reason": reason, **params})
    assert response.status_code in (200, 201, 204), response.text


async def new_operator(
    sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult, role: OperatorRole
) -> tuple[str, str]:
    """An operator of ``role`` in the tenant's organization (as ``new_auditor`` makes one);
    its client id and secret."""
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        org_id = await session.scalar(
            select(Workspace.organization_id).where(Workspace.id == tenant.tenant_id)
        )
        assert org_id is not None
        name = f"op:{role.value.lower()}-{uuid.uuid4().hex[:6]}"
        issued = await ensure_operator(session, org_id, tenant.tenant_id, name, role)
    return issued.client_id, issued.client_secret


async def read(api: Api, **params: Any) -> dict[str, Any]:
    """One page of the audit log."""
    response = await api.call("GET", "/audit", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def walk(api: Api, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every record the filter selects, page after page; the records and the page count."""
    items: list[dict[str, Any]] = []
    pages, cursor = 0, None
    while True:
        page = await read(api, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


async def test_changes_come_back_newest_first_with_their_reasons_and_no_secret_value(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    value = f"sk_live_{secrets.token_hex(16)}"
    await change(api, "POST", "/policies", {"name": "payments", "spec": {}}, "first policy")
    await change(
        api,
        "PUT",
        "/policies/payments",
        {"spec": {"retry": {"max_attempts": 2}}},
        "fewer retries",
    )
    await change(api, "POST", "/secret-refs", {"name": "stripe", "ref": "db://"}, "stripe key")
    await change(api, "PUT", "/secret-refs/stripe/value", {"value": value}, "rotate the key")
    stored = await audit_records(owner_sessions, tenant.tenant_id)

    response = await api.call("GET", "/audit")
    assert response.status_code == 200, response.text
    assert value not in response.text
    page = response.json()
    assert page["next_cursor"] is None
    items = page["items"]
    assert [i["action"] for i in items] == [r.action for r in reversed(stored)]
    assert [(i["action"], i["reason"], i["target"]) for i in items[:4]] == [
        ("secret_ref.set_value", "rotate the key", "secret_ref:stripe"),
        ("secret_ref.create", "stripe key", "secret_ref:stripe"),
        ("policy.update", "fewer retries", "policy:payments"),
        ("policy.create", "first policy", "policy:payments"),
    ]
    assert all(set(item) == FIELDS for item in items)
    assert {i["actor"] for i in items[:4]} == {actor_of(api)}
    stamps = [dt.datetime.fromisoformat(i["created_at"]) for i in items]
    assert stamps == sorted(stamps, reverse=True)
    update = items[2]
    assert update["before"]["spec"]["retry"]["max_attempts"] != 2
    assert update["after"]["spec"]["retry"]["max_attempts"] == 2
    assert update["request_id"]
    assert update["impersonation"] is None
    # The set_value record says the ref changed; the value is in none of it.
    assert items[0]["after"]["has_value"] is True
    # Ids are opaque: none shows the table-wide identity, and each is distinct.
    assert len({i["id"] for i in items}) == len(items)
    assert not {i["id"] for i in items} & {str(r.id) for r in stored}

    # Reading is not itself audited.
    await read(api)
    await read(api, action_prefix="policy.")
    assert len(await audit_records(owner_sessions, tenant.tenant_id)) == len(stored)


async def test_filters_narrow_by_actor_action_target_and_time(
    stack: Stack,
    http: httpx.AsyncClient,
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    created = await create_operator(api, tenant, "OperatorAdmin")
    assert created.status_code == 201, created.text
    second = await as_operator(http, stack, created.json())
    await change(api, "POST", "/policies", {"name": "a", "spec": {}}, "mine")
    await change(second, "POST", "/policies", {"name": "b", "spec": {}}, "theirs")
    await change(api, "POST", "/secret-refs", {"name": "s", "ref": "db://"}, "a ref")
    await change(second, "DELETE", "/policies/a", None, "not needed")
    stored = await audit_records(owner_sessions, tenant.tenant_id)

    by_second = (await read(api, actor=actor_of(second)))["items"]
    assert [(i["action"], i["target"]) for i in by_second] == [
        ("policy.delete", "policy:a"),
        ("policy.create", "policy:b"),
    ]
    mine = (await read(api, actor=actor_of(api)))["items"]
    assert {i["action"] for i in mine} == {"operator.create", "policy.create", "secret_ref.create"}
    creates = (await read(api, action="policy.create"))["items"]
    assert [i["target"] for i in creates] == ["policy:b", "policy:a"]
    assert [i["action"] for i in (await read(api, action_prefix="secret_ref."))["items"]] == [
        "secret_ref.create"
    ]
    # The prefix is text, not a LIKE pattern.
    assert (await read(api, action_prefix="%"))["items"] == []
    assert (await read(api, action_prefix="policy_"))["items"] == []
    on_a = (await read(api, target="policy:a"))["items"]
    assert [i["reason"] for i in on_a] == ["not needed", "mine"]
    both = (await read(api, actor=actor_of(api), action="policy.create"))["items"]
    assert [i["target"] for i in both] == ["policy:a"]
    assert (await read(api, action="policy.nothing"))["items"] == []

    # `since` is inclusive and `until` exclusive: at one record's moment they split the log.
    middle = sorted(stored, key=lambda r: (r.created_at, r.id))[2].created_at.isoformat()
    newer = (await read(api, since=middle))["items"]
    older = (await read(api, until=middle))["items"]
    everything = (await read(api))["items"]
    assert newer
    assert older
    assert [i["id"] for i in newer + older] == [i["id"] for i in everything]
    assert all(i["created_at"] >= middle for i in newer)
    window = (await read(api, since=middle, until=newer[0]["created_at"]))["items"]
    assert [i["id"] for i in window] == [i["id"] for i in newer[1:]]


async def test_pages_walk_every_record_exactly_once(
    api: Api, tenant: BootstrapResult, owner_sessions: async_sessionmaker[AsyncSession]
) -> None:
    for n in range(7):
        await change(api, "POST", "/policies", {"name": f"p{n}", "spec": {}}, f"policy {n}")
    stored = await audit_records(owner_sessions, tenant.tenant_id, "policy.")
    assert len(stored) == 7

    items, pages = await walk(api, action_prefix="policy.", limit=3)
    assert pages == 3
    assert [i["target"] for i in items] == [f"policy:p{n}" for n in reversed(range(7))]
    assert len({i["id"] for i in items}) == 7
    first = await read(api, action_prefix="policy.", limit=3)
    assert len(first["items"]) == 3
    # The cursor is the last record's id: the next page starts below it.
    assert first["next_cursor"] == first["items"][-1]["id"]
    # Exactly a page's worth left: the last page says so.
    last = await read(api, action_prefix="policy.", limit=1, cursor=items[-2]["id"])
    assert [i["target"] for i in last["items"]] == ["policy:p0"]
    assert last["next_cursor"] is None
    # Records written after the walk started come before its cursor, never inside it.
    await change(api, "POST", "/policies", {"name": "late", "spec": {}}, "late")
    rest = await read(api, action_prefix="policy.", cursor=first["next_cursor"], limit=200)
    assert [i["target"] for i in rest["items"]] == [f"policy:p{n}" for n in reversed(range(4))]


async def test_only_auditors_and_admins_read_the_log(
    stack: Stack,
    http: httpx.AsyncClient,
    api: Api,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    platform_operator: tuple[str, str],
) -> None:
    base = stack.url("control-api")
    auditor = await new_auditor(app_sessions, tenant)
    readers = [
        api,
        Api(http, base, await fetch_token(http, base, auditor.client_id, auditor.client_secret)),
    ]
    refused: list[Api] = []
    for role in (OperatorRole.BREAK_GLASS_ADMIN, OperatorRole.SUPPORT, OperatorRole.BILLING_ADMIN):
        issued = await new_operator(app_sessions, tenant, role)
        holder = Api(http, base, await fetch_token(http, base, *issued))
        (readers if role is OperatorRole.BREAK_GLASS_ADMIN else refused).append(holder)
    stored = await audit_records(owner_sessions, tenant.tenant_id)

    for reader in readers:
        page = await read(reader)
        assert [i["action"] for i in page["items"]] == [r.action for r in reversed(stored)]
    for operator in refused:
        response = await operator.call("GET", "/audit")
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == PROBLEM
        assert "items" not in response.json()
    platform = await fetch_token(http, base, *platform_operator)
    as_platform = await Api(http, base, platform).call("GET", "/audit")
    assert as_platform.status_code == 403, as_platform.text
    assert as_platform.headers["content-type"] == PROBLEM
    anonymous = await http.get(f"{base}/api/v1/audit")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM


async def test_a_workspace_reads_only_its_own_records(
    stack: Stack,
    http: httpx.AsyncClient,
    api: Api,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    other = await operator_api(http, stack, other_tenant)
    await change(other, "POST", "/policies", {"name": "theirs", "spec": {}}, "other org")
    await change(api, "POST", "/policies", {"name": "ours", "spec": {}}, "our org")
    made = await api.call(
        "POST",
        "/workspaces",
        json={"name": f"second-{uuid.uuid4().hex[:6]}", "environment": "dev", "reason": "a second"},
    )
    assert made.status_code == 201, made.text
    second = made.json()["id"]
    await change(
        api, "POST", "/policies", {"name": "there", "spec": {}}, "second ws", workspace=second
    )

    ours = (await read(api))["items"]
    assert "other org" not in {i["reason"] for i in ours}
    assert "second ws" not in {i["reason"] for i in ours}
    assert "our org" in {i["reason"] for i in ours}
    there = (await read(api, workspace=second))["items"]
    assert [(i["action"], i["reason"]) for i in there] == [
        ("policy.create", "second ws"),
        ("workspace.create", "a second"),
    ]
    theirs = (await read(other))["items"]
    assert theirs[0]["reason"] == "other org"
    assert not {"our org", "second ws"} & {i["reason"] for i in theirs}
    # Another organization's workspace is not this operator's to name, and a cursor taken
    # from its log reads nothing of it here.
    foreign = await api.call("GET", "/audit", params={"workspace": str(other_tenant.tenant_id)})
    assert foreign.status_code == 404
    assert foreign.headers["content-type"] == PROBLEM
    borrowed = await read(api, cursor=theirs[0]["id"], limit=200)
    assert "other org" not in {i["reason"] for i in borrowed["items"]}


async def test_a_cursor_or_instant_this_api_did_not_make_is_a_400_problem(api: Api) -> None:
    await change(api, "POST", "/policies", {"name": "p", "spec": {}}, "one")
    await change(api, "POST", "/policies", {"name": "q", "spec": {}}, "two")
    real = (await read(api, limit=1))["next_cursor"]
    assert real
    tampered = real[:-2] + ("AA" if real[-2:] != "AA" else "BB")
    for params in (
        {"cursor": "nope"},
        {"cursor": tampered},
        {"cursor": "1"},
        {"since": "yesterday"},
        {"since": "2026-11-25T10:00:00"},  # no offset
        {"until": "2026-11-25"},
        {"limit": 201},
        {"limit": 0},
    ):
        response = await api.call("GET", "/audit", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["content-type"] == PROBLEM, params
    assert (await read(api, since="2026-11-25T10:00:00+01:00"))["items"]
    assert (await read(api, cursor=real))["items"]


async def test_the_read_is_an_index_scan_on_a_workspace_of_ten_thousand_records(
    api: Api,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        await session.execute(
            text(
                "INSERT INTO audit_log (tenant_id, actor, action, target, reason, created_at) "
                "SELECT :tenant, 'op:bulk', 'policy.update', 'policy:p' || g, 'bulk', "
                "now() - g * interval '1 second' FROM generate_series(1, 10000) AS g"
            ),
            {"tenant": tenant.tenant_id},
        )
    async with owner_sessions() as session, session.begin():
        await session.execute(text("ANALYZE audit_log"))

    first = await read(api, limit=200)
    assert len(first["items"]) == 200
    second = await read(api, limit=200, cursor=first["next_cursor"])
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])

    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        newest = await repository.page(
            session, tenant.tenant_id, AuditFilter(), after=None, limit=1
        )
        for after in (None, AuditPosition(newest[0].created_at, newest[0].id)):
            plan = await explain(session, tenant.tenant_id, after)
            assert "ix_audit_log_tenant_id_created_at" in plan, plan
            assert "Sort" not in plan, plan


async def explain(session: AsyncSession, tenant_id: uuid.UUID, after: AuditPosition | None) -> str:
    """The plan of a page's query (as the runtime role, under RLS)."""
    query = repository.page_query(tenant_id, AuditFilter(), after=after, limit=51)
    connection = await session.connection()
    compiled = query.compile(dialect=connection.dialect)
    rows = await connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(str(row[0]) for row in rows)
