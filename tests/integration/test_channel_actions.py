"""Channel actions: canned ones counted and shown live; free text, unknown actions and
oversize polls refused (422); no message content stored anywhere; counters kept 30 to 90
days."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.channels.models import ChannelCounter
from orchestrator.core.maintenance.chores import purge_channel_counters
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import REASON, Member, operator_member
from tests.support.factories import new_auditor
from tests.support.stack import Stack

MARKER = f"free-text-{uuid.uuid4().hex}"
"""Text sent in refused requests: the database scan must not find it anywhere."""


async def members(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> tuple[Member, Member]:
    base = stack.url("control-api")
    admin = await operator_member(
        http, base, tenant.control_client_id, tenant.control_client_secret
    )
    auditor = await new_auditor(app_sessions, tenant)
    viewer = await operator_member(http, base, auditor.client_id, auditor.client_secret)
    return admin, viewer


async def test_two_operators_see_each_others_actions_live_and_counted(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin, viewer = await members(http, stack, tenant, app_sessions)
    mine, theirs = await admin.open(), await viewer.open()
    async with viewer.watching(theirs["id"]) as watching:
        snapshot = (await watching.next("snapshot")).json()
        assert snapshot["sessions"] >= 2
        before = {c["action"]: c["count"] for c in snapshot["counters"]}
        sent = await admin.act(mine["id"], "tests_green")
        assert sent.status_code == 202, sent.text
        seen = (await watching.next("action")).json()
        assert seen["actor"] == {"kind": "operator", "name": sent.json()["actor"]["name"]}
        assert seen["action"] == "tests_green"
        assert seen["count"] == before.get("tests_green", 0) + 1
        # The viewer (a read-only auditor) may act too: the channel is every operator's.
        assert (await viewer.act(theirs["id"], "thumbs_up")).status_code == 202
        assert (await watching.next("action")).json()["action"] == "thumbs_up"
    channel = await admin.call("GET", "")
    assert channel.status_code == 200
    counters = {c["action"]: c["count"] for c in channel.json()["counters"]}
    assert counters["tests_green"] == before.get("tests_green", 0) + 1
    assert {a["key"] for a in channel.json()["actions"]} >= {"thumbs_up", "ready", "deployed"}
    # A reconnecting watcher gets the counters now, not a history.
    async with viewer.watching(theirs["id"]) as again:
        first = await again.next()
        assert first.event == "snapshot"
        assert {c["action"]: c["count"] for c in first.json()["counters"]} == counters


async def test_polls_take_votes_for_their_fixed_choices_only(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin, viewer = await members(http, stack, tenant, app_sessions)
    poll = {"name": "release", "choices": ["go", "no-go", "later"]}
    made = await admin.call("POST", "/polls", json=poll, params=REASON)
    assert made.status_code == 201, made.text
    again = await admin.call("POST", "/polls", json=poll, params=REASON)
    assert again.status_code == 409
    # Only an admin defines polls.
    assert (await viewer.call("POST", "/polls", json=poll, params=REASON)).status_code == 403
    session = await viewer.open()
    vote = await viewer.act(session["id"], "vote", poll="release", choice="go")
    assert vote.status_code == 202, vote.text
    assert vote.json()["count"] == 1
    wrong = await viewer.act(session["id"], "vote", poll="release", choice="maybe")
    assert wrong.status_code == 422
    counters = {c["action"]: c["count"] for c in (await viewer.call("GET", "")).json()["counters"]}
    assert counters["vote:release:go"] == 1
    deleted = await admin.call("DELETE", "/polls/release", params=REASON)
    assert deleted.status_code == 204
    gone = await viewer.act(session["id"], "vote", poll="release", choice="go")
    assert gone.status_code == 422


REFUSED_ACTIONS: list[dict[str, Any]] = [
    {"action": "ready", "text": MARKER},
    {"action": MARKER[:32]},
    {"action": "Ready"},
    {"action": "ready", "message": {"body": MARKER}},
    {"action": "vote", "poll": "nope", "choice": "x"},
    {"action": "ready", "poll": "nope"},
    {"action": 1},
]
REFUSED_POLLS: list[dict[str, Any]] = [
    {"name": "big", "choices": ["a", "b", "c", "d", "e", "f"]},
    {"name": "big", "choices": [f"c{i}" for i in range(17)]},
    {"name": "one", "choices": ["a"]},
    {"name": "text", "choices": [MARKER[:20] + " yes", "no"]},
    {"name": MARKER, "choices": ["a", "b"]},
    {"name": "q", "choices": ["a", "b"], "question": MARKER},
]


async def test_free_text_unknown_actions_and_oversize_polls_are_refused_and_nothing_is_stored(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin, _ = await members(http, stack, tenant, app_sessions)
    session = await admin.open()
    for body in REFUSED_ACTIONS:
        answer = await admin.call("POST", "/actions", json={"session": session["id"], **body})
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    for poll in REFUSED_POLLS:
        answer = await admin.call("POST", "/polls", json=poll, params=REASON)
        assert answer.status_code == 422, (poll, answer.text)
    accepted = await admin.act(session["id"], "deployed")
    assert accepted.status_code == 202
    await assert_no_message_content(owner_sessions, actor=accepted.json()["actor"]["name"])


async def assert_no_message_content(
    owner_sessions: async_sessionmaker[AsyncSession], *, actor: str
) -> None:
    """Scan every column of every row of every table: the refused text is nowhere, no table
    is a message table, and the only rows naming the action sent are counters (no actor)."""
    async with owner_sessions() as session:
        tables = (
            await session.scalars(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            )
        ).all()
        assert not [t for t in tables if "message" in t and t != "outbox_messages"]
        naming_the_action: list[str] = []
        for table in tables:
            found = await session.scalar(
                text(f'SELECT count(*) FROM "{table}" AS r WHERE r::text LIKE :marker'),
                {"marker": f"%{MARKER[10:]}%"},
            )
            assert found == 0, f"{table} holds text of a refused request"
            rows = await session.scalar(
                text(f'SELECT count(*) FROM "{table}" AS r WHERE r::text LIKE :action'),
                {"action": "%deployed%"},
            )
            if rows:
                naming_the_action.append(table)
            together = await session.scalar(
                text(
                    f'SELECT count(*) FROM "{table}" AS r '
                    "WHERE r::text LIKE :action AND r::text LIKE :actor"
                ),
                {"action": "%deployed%", "actor": f"%{actor}%"},
            )
            assert together == 0, f"{table} records who sent an action"
    assert naming_the_action == ["channel_counters"]


async def test_counters_older_than_the_kept_days_are_purged(
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    async with owner_sessions() as session, session.begin():
        for age in (0, 29, 30, 45, 95):
            session.add(
                ChannelCounter(
                    tenant_id=tenant.tenant_id,
                    day=today - dt.timedelta(days=age),
                    action="ready",
                    count=1,
                )
            )
    await purge_channel_counters(app_sessions, keep_days=30)
    async with owner_sessions() as session:
        kept = (
            await session.scalars(
                text("SELECT day FROM channel_counters WHERE tenant_id = :t ORDER BY day DESC"),
                {"t": tenant.tenant_id},
            )
        ).all()
    assert kept == [today, today - dt.timedelta(days=29)]


@pytest.mark.parametrize("path", ["", "/sessions"])
async def test_an_operator_reaches_only_workspaces_of_its_organization(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    path: str,
) -> None:
    admin, _ = await members(http, stack, tenant, app_sessions)
    method = "GET" if path == "" else "POST"
    elsewhere = await admin.call(method, path, params={"workspace": str(other_tenant.tenant_id)})
    assert elsewhere.status_code == 404
    nobody = await http.request(method, f"{stack.url('control-api')}/api/v1/channel{path}")
    assert nobody.status_code == 401


async def test_a_session_sends_at_most_its_actions_a_minute(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin, _ = await members(http, stack, tenant, app_sessions)
    busy, other = await admin.open(), await admin.open()
    answers = [await admin.act(busy["id"], "thumbs_up") for _ in range(31)]
    assert [a.status_code for a in answers] == [202] * 30 + [429]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    assert answers[-1].headers["content-type"].startswith("application/problem+json")
    # The refused one was not counted, and another session is not held back.
    assert (await admin.act(other["id"], "thumbs_up")).json()["count"] == 31
