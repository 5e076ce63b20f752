"""Fan-out across two replicas of the control-api: a watcher on one sees, live, what is
sent on the other, and the presence."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import operator_member, replica
from tests.support.factories import new_auditor
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def second(service_env: dict[str, str], stack: Stack) -> Iterator[str]:
    """A second control-api replica for this module."""
    with replica(service_env) as url:
        yield url


async def test_actions_reach_watchers_on_the_other_replica_both_ways(
    http: httpx.AsyncClient,
    stack: Stack,
    second: str,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = stack.url("control-api")
    alice = await operator_member(
        http, first, tenant.control_client_id, tenant.control_client_secret
    )
    auditor = await new_auditor(app_sessions, tenant)
    bob = (await operator_member(http, first, auditor.client_id, auditor.client_secret)).on(second)
    alice_session = await alice.open()
    async with (
        alice.watching(alice_session["id"]) as on_first,
        bob.watching((await bob.open())["id"]) as on_second,
    ):
        await on_first.next("snapshot")
        await on_second.next("snapshot")
        # Bob opened his session on the second replica: the first one's watcher sees it.
        presence = (await on_first.next("presence")).json()
        assert presence["sessions"] == 2
        bob_session = (await bob.open())["id"]
        assert (await on_first.next("presence")).json()["sessions"] == 3
        sent = await bob.act(bob_session, "blocked")
        assert sent.status_code == 202, sent.text
        seen = (await on_first.next("action")).json()
        assert (seen["action"], seen["actor"]["name"]) == ("blocked", sent.json()["actor"]["name"])
        assert (await on_second.next("action")).json()["action"] == "blocked"
        answered = await alice.act(alice_session["id"], "review")
        assert answered.status_code == 202
        back = (await on_second.next("action")).json()
        assert (back["action"], back["actor"]["name"]) == (
            "review",
            answered.json()["actor"]["name"],
        )
        assert back["count"] == 1
