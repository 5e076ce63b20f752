"""Guests: a one-time invite, an opaque ``guest-NNNN``, a token for one workspace's channel
that every other route of every service refuses, revoked on every replica within a second."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.channels.guests import parse_invite
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.channels import REASON, Member, invited_guest, operator_member, replica
from tests.support.factories import decode_unverified
from tests.support.stack import Stack

PARTICIPANT_ROUTES = {
    ("get", "/api/v1/channel"),
    ("post", "/api/v1/channel/sessions"),
    ("delete", "/api/v1/channel/sessions/{session_id}"),
    ("post", "/api/v1/channel/actions"),
    ("get", "/api/v1/channel/stream"),
    ("post", "/api/v1/channel/guest-token/refresh"),
}
"""The only routes a guest's token opens (the participant routes, and its own refresh)."""


@pytest.fixture(scope="module")
def second(service_env: dict[str, str], stack: Stack) -> Iterator[str]:
    """A second control-api replica for this module."""
    with replica(service_env, "control-api-guests") as url:
        yield url


async def admin_of(http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult) -> Member:
    return await operator_member(
        http, stack.url("control-api"), tenant.control_client_id, tenant.control_client_secret
    )


async def test_an_invite_signs_a_guest_in_once_with_an_opaque_key_and_a_short_token(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await admin_of(http, stack, tenant)
    guest, invite = await invited_guest(admin)
    assert invite["guest"].startswith("guest-")
    assert invite["guest"][6:].isdigit()
    claims = decode_unverified(guest.token)
    assert claims["aud"] == "orchestrator-channel"
    assert claims["scope"] == "channel"
    assert claims["tid"] == str(tenant.tenant_id)
    assert claims["sub"] == invite["guest"]
    assert claims["exp"] - claims["iat"] <= 900
    assert not {"org", "role", "act"} & set(claims)
    redeem = f"{admin.base}/api/v1/channel/guest-token"
    again = await http.post(redeem, json={"invite": invite["invite"]})
    assert again.status_code == 404
    for forged in ("nope", invite["invite"][:-1] + ("A" if invite["invite"][-1] != "A" else "B")):
        assert (await http.post(redeem, json={"invite": forged})).status_code == 404
    # Only a hash of the invite's secret is stored. (The secret is URL-safe base64, which
    # may itself hold "_": split at the ids, not at its last "_", or a short tail of it
    # would match unrelated text now and then.)
    secret = parse_invite(invite["invite"]).secret
    assert len(secret) >= 32
    async with owner_sessions() as session:
        tables = (
            await session.scalars(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            )
        ).all()
        for table in tables:
            found = await session.scalar(
                text(f'SELECT count(*) FROM "{table}" AS r WHERE r::text LIKE :s'),
                {"s": f"%{secret}%"},
            )
            assert found == 0, table


async def test_a_guest_uses_its_workspaces_channel_and_nothing_else(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
) -> None:
    admin = await admin_of(http, stack, tenant)
    guest, invite = await invited_guest(admin)
    session = await guest.open()
    mine = await admin.open()
    async with admin.watching(mine["id"]) as watching:
        await watching.next("snapshot")
        sent = await guest.act(session["id"], "thumbs_up")
        assert sent.status_code == 202, sent.text
        seen = (await watching.next("action")).json()
        assert seen["actor"] == {"kind": "guest", "name": invite["guest"]}
    assert (await guest.call("GET", "")).status_code == 200
    elsewhere = await guest.call("GET", "", params={"workspace": str(other_tenant.tenant_id)})
    assert elsewhere.status_code == 404
    refused = await refusals(http, stack, guest.token)
    assert refused["accepted"] == [], refused["accepted"]
    assert refused["checked"] > 60


async def refusals(http: httpx.AsyncClient, stack: Stack, token: str) -> dict[str, Any]:
    """Every bearer route of the control-api and the exec-api (from their OpenAPI documents)
    but the channel's participant routes, called with ``token``: those that did not refuse
    it with 401 or 403."""
    accepted: list[str] = []
    checked = 0
    headers = {"Authorization": f"Bearer {token}"}
    for service in ("control-api", "exec-api"):
        base = stack.url(service)
        document = (await http.get(f"{base}/schema/openapi.json")).json()
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                bearer = any("bearer" in scheme for scheme in operation.get("security", []))
                if (method, path) in PARTICIPANT_ROUTES or not bearer:
                    continue
                url = base + path.replace("{", "").replace("}", "")
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path":
                        number = parameter.get("schema", {}).get("type") == "integer"
                        value = "1" if number else str(uuid.uuid4())
                        url = url.replace(parameter["name"], value)
                body: Any = {} if method in ("post", "put", "patch") else None
                answer = await http.request(method, url, headers=headers, json=body)
                checked += 1
                if answer.status_code not in (401, 403):
                    accepted.append(f"{service} {method} {path}: {answer.status_code}")
    return {"accepted": accepted, "checked": checked}


async def test_a_revoked_guest_is_cut_off_on_every_replica_within_a_second(
    http: httpx.AsyncClient, stack: Stack, second: str, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    guest, invite = await invited_guest(admin)
    elsewhere = guest.on(second)
    here_session, there_session = await guest.open(), await elsewhere.open()
    async with (
        guest.watching(here_session["id"]) as here,
        elsewhere.watching(there_session["id"]) as there,
    ):
        await here.next("snapshot")
        await there.next("snapshot")
        started = time.monotonic()
        revoked = await admin.call("POST", f"/invites/{invite['id']}/revoke", params=REASON)
        assert revoked.status_code == 200, revoked.text
        assert revoked.json() == {
            "id": invite["id"],
            "guest": invite["guest"],
            "token_revoked": True,
        }
        await asyncio.wait_for(asyncio.gather(here.ended.wait(), there.ended.wait()), 1.0)
        cut_s = time.monotonic() - started
    assert cut_s < 1.0
    for member in (guest, elsewhere):
        while (await member.call("GET", "")).status_code != 401:
            assert time.monotonic() - started < 1.0
            await asyncio.sleep(0.05)
    assert (await elsewhere.act(there_session["id"], "ready")).status_code == 401
    listed = (await admin.call("GET", "/invites")).json()["items"]
    shown = next(item for item in listed if item["id"] == invite["id"])
    assert shown["redeemed_at"] is not None
    assert shown["revoked_at"] is not None
    assert "invite" not in shown
    assert "secret_hash" not in shown
    # Revoking again is idempotent; a revoked invite cannot be redeemed.
    again = await admin.call("POST", f"/invites/{invite['id']}/revoke", params=REASON)
    assert again.status_code == 200
    redeem = await http.post(
        f"{admin.base}/api/v1/channel/guest-token", json={"invite": invite["invite"]}
    )
    assert redeem.status_code == 404


async def test_an_unredeemed_invite_revoked_is_useless(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    made = (await admin.call("POST", "/invites", params=REASON)).json()
    revoked = await admin.call("POST", f"/invites/{made['id']}/revoke", params=REASON)
    assert revoked.json()["token_revoked"] is False
    redeem = await http.post(
        f"{admin.base}/api/v1/channel/guest-token", json={"invite": made["invite"]}
    )
    assert redeem.status_code == 404
    unknown = await admin.call("POST", f"/invites/{uuid.uuid4()}/revoke", params=REASON)
    assert unknown.status_code == 404
