"""All of the channel's SQL; runs in the caller's tenant transaction, never commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.channels.events import Counter
from orchestrator.core.channels.guests import new_guest_key
from orchestrator.core.channels.models import ChannelCounter, ChannelInvite, ChannelPoll
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.pages import Keyset, Page, PageRequest
from orchestrator.core.db.repository import Repository


def today() -> dt.date:
    """The counters' day (UTC)."""
    return utcnow().date()


def first_day(keep_days: int) -> dt.date:
    """The oldest day still counted when ``keep_days`` are kept (today included)."""
    return today() - dt.timedelta(days=keep_days - 1)


async def add_one(
    session: AsyncSession, tenant_id: uuid.UUID, action: str, *, keep_days: int
) -> int:
    """Count one ``action`` today; its total over the kept days, this one included."""
    statement = insert(ChannelCounter).values(
        tenant_id=tenant_id, day=today(), action=action, count=1
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "day", "action"],
            set_={"count": ChannelCounter.count + 1},
        )
    )
    total = await session.scalar(
        select(func.sum(ChannelCounter.count)).where(
            ChannelCounter.action == action, ChannelCounter.day >= first_day(keep_days)
        )
    )
    return int(total or 0)


async def totals(session: AsyncSession, *, keep_days: int) -> list[Counter]:
    """Every action's total over the kept days, by action."""
    rows = await session.execute(
        select(ChannelCounter.action, func.sum(ChannelCounter.count))
        .where(ChannelCounter.day >= first_day(keep_days))
        .group_by(ChannelCounter.action)
        .order_by(ChannelCounter.action)
    )
    return [Counter(action=action, count=int(count)) for action, count in rows]


async def purge_counters(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: dt.date, limit: int
) -> int:
    """Delete one batch (at most ``limit``) of the workspace's counters of days before
    ``before``; how many went."""
    batch = (
        select(ChannelCounter.day, ChannelCounter.action)
        .where(ChannelCounter.tenant_id == tenant_id, ChannelCounter.day < before)
        .limit(limit)
    )
    result = await session.execute(
        delete(ChannelCounter).where(
            ChannelCounter.tenant_id == tenant_id,
            func.row(ChannelCounter.day, ChannelCounter.action).in_(batch),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def polls(session: AsyncSession) -> list[ChannelPoll]:
    """The workspace's polls, by name."""
    return list((await session.scalars(select(ChannelPoll).order_by(ChannelPoll.name))).all())


async def poll_choices(session: AsyncSession) -> dict[str, list[str]]:
    """The workspace's polls: name -> choices."""
    return {poll.name: list(poll.choices) for poll in await polls(session)}


async def add_poll(
    session: AsyncSession, tenant_id: uuid.UUID, name: str, choices: list[str], actor: str
) -> ChannelPoll | None:
    """A new poll; None when one of that name exists."""
    return await session.scalar(
        insert(ChannelPoll)
        .values(tenant_id=tenant_id, name=name, choices=choices, created_by=actor)
        .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
        .returning(ChannelPoll)
    )


async def remove_poll(session: AsyncSession, name: str) -> ChannelPoll | None:
    """Delete a poll (its counters stay until retention takes them); the poll, or None."""
    return await session.scalar(
        delete(ChannelPoll).where(ChannelPoll.name == name).returning(ChannelPoll)
    )


async def add_invite(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    invite_id: uuid.UUID,
    secret_hash: bytes,
    *,
    actor: str,
    expires_at: dt.datetime,
) -> ChannelInvite:
    """A new invite with a guest key unused in the workspace (random, retried on a clash)."""
    for _ in range(20):
        row: ChannelInvite | None = await session.scalar(
            insert(ChannelInvite)
            .values(
                id=invite_id,
                tenant_id=tenant_id,
                guest=new_guest_key(),
                secret_hash=secret_hash,
                created_by=actor,
                expires_at=expires_at,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "guest"])
            .returning(ChannelInvite)
        )
        if row is not None:
            return row
    raise RuntimeError("no free guest key after 20 tries")


INVITES = Repository(
    ChannelInvite,
    ChannelInvite.id,
    keyset=Keyset(ChannelInvite.created_at, ChannelInvite.id),
)


async def invites(session: AsyncSession, page: PageRequest) -> Page[ChannelInvite]:
    """A page of the workspace's invites, oldest first."""
    return await INVITES.list(session, page)


async def invite(session: AsyncSession, invite_id: uuid.UUID) -> ChannelInvite | None:
    """One invite of the workspace, locked for update."""
    return await session.scalar(
        select(ChannelInvite).where(ChannelInvite.id == invite_id).with_for_update()
    )


async def redeemed(
    session: AsyncSession,
    invite_id: uuid.UUID,
    *,
    jti: str,
    token_expires_at: dt.datetime,
    session_ends_at: dt.datetime,
) -> None:
    """Mark the invite used, recording its token and when the guest's tokens stop."""
    await session.execute(
        update(ChannelInvite)
        .where(ChannelInvite.id == invite_id)
        .values(
            redeemed_at=func.now(),
            token_jti=jti,
            token_expires_at=token_expires_at,
            session_ends_at=session_ends_at,
        )
    )


async def refreshed(
    session: AsyncSession, invite_id: uuid.UUID, *, token_expires_at: dt.datetime
) -> None:
    """Record the expiry of the guest's newest token (a revocation denies its ``jti`` that
    long)."""
    await session.execute(
        update(ChannelInvite)
        .where(ChannelInvite.id == invite_id)
        .values(token_expires_at=token_expires_at)
    )


async def revoked(session: AsyncSession, invite_id: uuid.UUID) -> None:
    """Mark the invite revoked (it can no longer be redeemed)."""
    await session.execute(
        update(ChannelInvite)
        .where(ChannelInvite.id == invite_id, ChannelInvite.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
