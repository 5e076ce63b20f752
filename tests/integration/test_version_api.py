"""The workspace's configuration versions through the control-api (ADR 0077): every
changing request makes one version, the history and diffs read them, and a rollback
puts the runtime back on the old configuration within a second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.execution import Caller, caller
from tests.support.factories import fetch_token
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration


async def numbers(api: Api) -> list[tuple[int, str]]:
    """The history, newest first: (number, summary)."""
    return [(v["number"], v["summary"]) for v in await api.every("/versions")]


async def within_a_second(check: Callable[[], Awaitable[bool]]) -> float:
    """Seconds until ``check()`` holds; fails after one second."""
    began = time.monotonic()
    while not await check():
        assert time.monotonic() - began < 1.0, "the change did not reach the runtime in 1 s"
        await asyncio.sleep(0.02)
    return time.monotonic() - began


def limit(n: int) -> dict[str, Any]:
    return {"rate_limit": {"limit": n, "period_s": 60}}


async def first_word(client: Caller, connector: str) -> str:
    """What became of a job submitted now on its first attempt: ``succeeded``, or the
    reason the worker gave for not calling (``rate_limited`` when the gate refused it)."""
    job_id = await client.submit_job(connector, "charge", {"id": "o-1", "amount": 5})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        job = (
            await client.http.get(
                f"{client.exec_url}/api/v1/jobs/{job_id}", headers=client.exec_headers
            )
        ).json()
        if job["status"] == "succeeded" or job["error"] is not None:
            return str(job["error"] or job["status"])
        await asyncio.sleep(0.01)
    raise AssertionError(f"job {job_id} made no attempt within 5 s")


async def test_a_rollback_puts_the_exec_api_back_on_the_old_limit_within_a_second(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    client: Caller = await caller(http, stack, tenant)
    api = client.operator
    connector = await client.connector(upstream, limit(1))
    policy = f"p-{connector}"
    assert [n for n, _ in await numbers(api)] == [2, 1]  # the policy, then the connector
    assert [(await client.execute(connector)).status_code for _ in range(2)] == [200, 429]

    # 6,000 a minute: a call every 10 ms refills what the first limit's call spent (GCRA).
    raised = await api.write("PUT", f"/policies/{policy}", {"spec": limit(6000)})
    assert raised.status_code == 200, raised.text

    async def allowed() -> bool:
        return (await client.execute(connector)).status_code == 200

    await within_a_second(allowed)
    assert (await numbers(api))[0] == (3, f"policies ~{policy}")
    assert await first_word(client, connector) == "succeeded"  # the worker on the new limit

    back = await api.write("POST", "/versions/rollback", reason="the new limit overloads them")
    rolled_back = time.monotonic()
    assert back.status_code == 200, back.text
    assert back.json() == {"active": 2, "previous": 3, "latest": 3}

    async def refused() -> bool:
        return (await client.execute(connector)).status_code == 429

    await within_a_second(refused)
    # The worker too: a job submitted within a second of the rollback is refused a call.
    while time.monotonic() - rolled_back < 1.0:
        if await first_word(client, connector) == "rate_limited":
            break
    else:
        raise AssertionError("the worker still ran jobs on the new limit 1 s after the rollback")
    spec = (await api.call("GET", f"/policies/{policy}")).json()["spec"]
    assert spec["rate_limit"]["limit"] == 1
    # Moving the pointer is not a change of its own: no version, one audited move.
    assert [n for n, _ in await numbers(api)] == [3, 2, 1]
    moves = await api.every("/audit", action="version.activate")
    assert [(m["target"], m["reason"]) for m in moves] == [
        ("version:2", "the new limit overloads them")
    ]

    diff = await api.call("GET", "/versions/diff", params={"from": 2, "to": 3})
    assert diff.status_code == 200, diff.text
    assert diff.json()["changes"] == [
        {
            "kind": "policies",
            "name": policy,
            "change": "changed",
            "fields": [{"pointer": "/spec/rate_limit/limit", "before": 1, "after": 6000}],
        }
    ]


async def second_admin(api: Api, tenant: BootstrapResult) -> Api:
    """Another OperatorAdmin of the workspace, signed in with its own token."""
    body = {
        "name": "op:second-admin",
        "role": "OperatorAdmin",
        "home_workspace_id": str(tenant.tenant_id),
    }
    made = await api.write("POST", "/operators", json=body)
    assert made.status_code == 201, made.text
    created = made.json()
    token = await fetch_token(api.http, api.base, created["client_id"], created["client_secret"])
    return Api(api.http, api.base, token)


async def test_two_operators_activating_at_once_one_wins_the_other_gets_409(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    first = await operator_api(http, stack, tenant)
    second = await second_admin(first, tenant)
    assert (await first.write("POST", "/policies", {"name": "p", "spec": limit(1)})).is_success
    for n in (2, 3):
        assert (await first.write("PUT", "/policies/p", {"spec": limit(n)})).is_success
    head = (await first.call("GET", "/versions/head")).json()
    assert head == {"active": 3, "previous": 2, "latest": 3}

    moves = await asyncio.gather(
        first.write("POST", "/versions/1/activate", expected_active_version=3),
        second.write("POST", "/versions/2/activate", expected_active_version=3),
    )
    assert sorted(m.status_code for m in moves) == [200, 409], [m.text for m in moves]
    lost = next(m for m in moves if m.status_code == 409)
    assert lost.headers["content-type"].startswith("application/problem+json")
    won = 1 if moves[0].status_code == 200 else 2
    # The winner's version whole, and nothing of the loser's.
    assert (await first.call("GET", "/versions/head")).json()["active"] == won
    spec = (await first.call("GET", "/policies/p")).json()["spec"]
    assert spec["rate_limit"]["limit"] == won
    audited = await first.every("/audit", action="version.activate")
    assert [m["target"] for m in audited] == [f"version:{won}"]


async def test_a_stale_or_unknown_version_is_refused_with_a_problem(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    none_yet = await api.call("GET", "/versions/head")
    assert none_yet.status_code == 404
    made = await api.write("POST", "/policies", {"name": "shared", "spec": limit(1)})
    assert made.status_code == 201, made.text
    put = await api.write("PUT", "/policies/shared", {"spec": limit(2)})
    assert put.status_code == 200, put.text
    assert (await api.call("GET", "/versions/head")).json() == {
        "active": 2,
        "previous": 1,
        "latest": 2,
    }

    stale = await api.write("POST", "/versions/1/activate", expected_active_version=1)
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert "active version is 2" in stale.json()["detail"]
    missing = await api.write("POST", "/versions/7/activate")
    assert missing.status_code == 404
    # Past a PostgreSQL integer: refused at the edge, never a query (a 500 once).
    too_big = await api.call("GET", "/versions/4725185291")
    assert too_big.status_code == 400, too_big.text
    assert (await api.write("POST", "/versions/4725185291/activate")).status_code == 400
    assert (await api.call("GET", "/versions/7")).status_code == 404
    one = (await api.call("GET", "/versions/1")).json()
    assert one["snapshot"]["policies"][0]["spec"]["rate_limit"]["limit"] == 1
    assert (await api.call("GET", "/versions/head")).json()["active"] == 2


async def test_a_bundle_imported_is_one_version_and_reimported_is_none(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    source = await operator_api(http, stack, tenant)
    for name, n in (("a", 1), ("b", 2)):
        made = await source.write("POST", "/policies", {"name": name, "spec": limit(n)})
        assert made.status_code == 201, made.text
    bundle = (await source.call("GET", "/bundles/export")).json()

    target = await operator_api(http, stack, other_tenant)
    for _ in range(2):
        imported = await target.write("POST", "/bundles/import", bundle)
        assert imported.status_code == 200, imported.text
    assert [n for n, _ in await numbers(target)] == [1]

    bundle["policies"][1]["spec"]["rate_limit"]["limit"] = 20
    imported = await target.write("POST", "/bundles/import", bundle)
    assert imported.status_code == 200, imported.text
    assert await numbers(target) == [(2, "policies ~b"), (1, "tenant +tenant; policies +a +b")]
    diff = (await target.call("GET", "/versions/diff", params={"from": 1, "to": 2})).json()
    assert [(c["name"], [f["pointer"] for f in c["fields"]]) for c in diff["changes"]] == [
        ("b", ["/spec/rate_limit/limit"])
    ]


async def test_a_change_outside_the_configuration_makes_no_version(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    made = await api.write("POST", "/policies", {"name": "p", "spec": limit(1)})
    assert made.status_code == 201, made.text
    rotated = await api.write("POST", "/signing-secrets/rotate")
    assert rotated.status_code == 201, rotated.text
    same = await api.write("PUT", "/policies/p", {"spec": limit(1)})  # as it is
    assert same.status_code == 200, same.text
    assert [n for n, _ in await numbers(api)] == [1]


async def test_a_rollback_sends_the_workers_jobs_back_to_the_old_base_url_within_a_second(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, upstream: UpstreamServer
) -> None:
    client: Caller = await caller(http, stack, tenant)
    api = client.operator
    connector = await client.connector(upstream)
    config = (await api.call("GET", f"/connectors/{connector}")).json()["config"]

    async def move_to(prefix: str) -> None:
        moved = await api.write(
            "PUT",
            f"/connectors/{connector}",
            {"type": "http", "config": {**config, "base_url": upstream.url + prefix}},
        )
        assert moved.status_code == 200, moved.text

    async def landed(job_input: dict[str, Any]) -> str:
        """Where one job, submitted now, reaches the upstream (however long it queues)."""
        counts = {p: upstream.calls_under(p + "/charges") for p in ("/v1", "/v2")}
        submitted = await http.post(
            f"{client.exec_url}/api/v1/jobs", json=job_input, headers=client.exec_headers
        )
        assert submitted.status_code == 202, submitted.text
        for _ in range(500):
            for prefix, count in counts.items():
                if upstream.calls_under(prefix + "/charges") > count:
                    return prefix
            await asyncio.sleep(0.01)
        raise AssertionError("the job did not run within 5 s")

    async def submitted_after(prefix: str) -> float:
        """Seconds until a job submitted then runs against ``prefix``."""
        job = {"connector": connector, "operation": "charge", "payload": {"id": "o-1", "amount": 5}}
        began = time.monotonic()
        while True:
            submitted_at = time.monotonic() - began
            if await landed(job) == prefix:
                return submitted_at
            assert submitted_at < 1.0, "jobs still ran against the other URL after 1 s"

    await move_to("/v1")
    await move_to("/v2")
    assert await submitted_after("/v2") < 1.0
    back = await api.write("POST", "/versions/rollback", reason="v2 answers 404")
    assert back.status_code == 200, back.text
    assert await submitted_after("/v1") < 1.0


async def test_the_audit_log_and_the_version_history_agree(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    writes = [
        ("POST", "/policies", {"name": "a", "spec": limit(1)}),
        ("PUT", "/policies/a", {"spec": limit(2)}),
        ("PUT", "/policies/a", {"spec": limit(2)}),  # no change: no version, no record
        ("POST", "/policies", {"name": "b", "spec": limit(3)}),
        ("DELETE", "/policies/b", None),
    ]
    for method, path, body in writes:
        answer = await api.write(method, path, body)
        assert answer.status_code in (200, 201, 204), answer.text
    back = await api.write("POST", "/versions/rollback", reason="undo the delete")
    assert back.status_code == 200, back.text

    history = await api.every("/versions")
    audit = [r for r in await api.every("/audit") if r["action"].startswith("policy.")]
    (move,) = await api.every("/audit", action="version.activate")
    assert (move["target"], move["reason"]) == ("version:3", "undo the delete")
    # The rollback re-created `b` (audited under its request) and made no version: it
    # moved the pointer. Every other request that audited a policy change made exactly one
    # version, with the same actor and reason.
    rolled_back = [r["action"] for r in audit if r["request_id"] == move["request_id"]]
    assert rolled_back == ["policy.create"]
    changed = {r["request_id"]: r for r in audit if r["request_id"] != move["request_id"]}
    assert sorted(v["request_id"] for v in history) == sorted(changed)
    for version in history:
        record = changed[version["request_id"]]
        assert (version["actor"], version["reason"]) == (record["actor"], record["reason"])
    assert [v["summary"] for v in history] == [
        "policies -b",
        "policies +b",
        "policies ~a",
        "tenant +tenant; policies +a",
    ]
