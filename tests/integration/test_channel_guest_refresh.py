"""A guest's token refreshed (ADR 0108): a new token of the same ``jti`` while the invite
lives, so one revocation refuses them all; never past the cap fixed at the redeem; never
for an operator's token."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_channel_guests import admin_of
from tests.integration.test_config_api import audit_records
from tests.support.channels import REASON, Member, invited_guest
from tests.support.factories import decode_unverified
from tests.support.stack import Stack

REFRESH = "/guest-token/refresh"


async def refreshed(guest: Member) -> Member:
    """The guest with the token a refresh gave it (asserting the refresh worked)."""
    answer = await guest.call("POST", REFRESH)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return Member(guest.http, guest.base, answer.json()["access_token"])


async def move_cap(
    owner_sessions: async_sessionmaker[AsyncSession], invite_id: str, ends_at: dt.datetime
) -> None:
    """Put the invite's cap (what the redeem recorded) at ``ends_at``."""
    async with owner_sessions() as session, session.begin():
        await session.execute(
            text("UPDATE channel_invites SET session_ends_at = :at WHERE id = :id"),
            {"at": ends_at, "id": uuid.UUID(invite_id)},
        )


async def test_a_refreshed_token_works_keeps_its_jti_and_is_audited(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await admin_of(http, stack, tenant)
    guest, invite = await invited_guest(admin)
    first = decode_unverified(guest.token)
    await asyncio.sleep(1.1)  # a later second: a later expiry
    again = await refreshed(guest)
    claims = decode_unverified(again.token)
    assert again.token != guest.token
    assert claims["jti"] == first["jti"]
    assert (claims["sub"], claims["tid"], claims["aud"]) == (
        first["sub"],
        first["tid"],
        "orchestrator-channel",
    )
    assert claims["exp"] > first["exp"]
    assert claims["exp"] - claims["iat"] <= 900
    session = await again.open()
    assert (await again.act(session["id"], "ready")).status_code == 202
    # The new token refreshes in turn; the cap the redeem fixed stays where it was.
    third = await again.call("POST", REFRESH)
    assert third.status_code == 200, third.text
    body = third.json()
    assert decode_unverified(body["access_token"])["jti"] == first["jti"]
    assert body["session_ends_at"] - first["iat"] in range(8 * 3600 - 2, 8 * 3600 + 1)
    records = await audit_records(owner_sessions, tenant.tenant_id, "channel.guest.refresh")
    mine = [r for r in records if r.actor == invite["guest"]]
    assert len(mine) == 2
    assert mine[0].after is not None
    assert mine[0].after["jti"] == first["jti"]
    assert mine[0].target == f"guest:{invite['guest']}"


async def test_one_revocation_refuses_every_token_of_the_invite_and_its_refresh(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    guest, invite = await invited_guest(admin)
    await asyncio.sleep(1.1)
    again = await refreshed(guest)
    revoked = await admin.call("POST", f"/invites/{invite['id']}/revoke", params=REASON)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["token_revoked"] is True
    started = time.monotonic()
    for member in (guest, again):
        while (await member.call("GET", "")).status_code != 401:
            assert time.monotonic() - started < 1.0
            await asyncio.sleep(0.05)
        assert (await member.call("POST", REFRESH)).status_code == 401
    # The denylist holds the jti until the newest token's expiry, not the first one's.
    listed = (await admin.call("GET", "/invites")).json()["items"]
    shown = next(item for item in listed if item["id"] == invite["id"])
    newest = decode_unverified(again.token)["exp"]
    assert dt.datetime.fromisoformat(shown["token_expires_at"]).timestamp() == newest


async def test_no_refresh_reaches_past_the_cap_fixed_at_the_redeem(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    admin = await admin_of(http, stack, tenant)
    guest, invite = await invited_guest(admin)
    # Near the cap, the new token ends at the cap, and says so.
    cap = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=120)
    await move_cap(owner_sessions, invite["id"], cap)
    near = await guest.call("POST", REFRESH)
    assert near.status_code == 200, near.text
    assert near.json()["expires_at"] == int(cap.timestamp())
    assert near.json()["session_ends_at"] == int(cap.timestamp())
    assert decode_unverified(near.json()["access_token"])["exp"] == int(cap.timestamp())
    # Past the cap: refused, though the token itself is still valid.
    await move_cap(owner_sessions, invite["id"], dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    refused = await guest.call("POST", REFRESH)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await guest.call("GET", "")).status_code == 200


async def test_an_operators_token_or_none_is_refused(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    admin = await admin_of(http, stack, tenant)
    assert (await admin.call("POST", REFRESH)).status_code == 401
    anonymous = await http.post(f"{admin.base}/api/v1/channel{REFRESH}")
    assert anonymous.status_code == 401
    guest, _ = await invited_guest(admin)
    forged = guest.token[:-2] + ("AA" if not guest.token.endswith("AA") else "BB")
    assert (await Member(http, admin.base, forged).call("POST", REFRESH)).status_code == 401
