"""A request refused by a dependency resolved after the request's transaction began
leaves no transaction open and no connection for the garbage collector
(``core/http/dependency_cleanup.py``)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import operator_api
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

ABANDONED = ("non-checked-in connection", "asynchronous generator is already running")


async def test_a_reason_refused_after_the_transaction_began_returns_its_connection(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    control = stack.services["control-api"]
    logged_before = len(control.log())
    # The workspace's transaction (``ws``) begins first; the dependency that reads the
    # ``reason`` then refuses one too short, after it.
    refusals = await asyncio.gather(
        *(
            api.call("POST", "/dlq/purge", json={"limit": 1}, params={"reason": "x"})
            for _ in range(20)
        )
    )
    assert {r.status_code for r in refusals} == {400}, refusals[0].text
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in refusals)
    await asyncio.sleep(0.5)  # what the collector would drop, it drops at once in CPython
    logged = control.log()[logged_before:]
    assert not [line for line in logged.splitlines() if any(a in line for a in ABANDONED)]
    # The pool still serves: a valid purge right after.
    purged = await api.call("POST", "/dlq/purge", json={"limit": 1}, params={"reason": "tidy"})
    assert purged.status_code == 200, purged.text
