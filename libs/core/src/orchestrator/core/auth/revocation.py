"""The ``jti`` denylist: durable in PostgreSQL, announced over Redis, mirrored in memory.

A revocation is written to ``revoked_tokens`` and published on a Redis
channel; every service applies the message at once, and a reconcile poll of
the table heals any message missed while Redis was away.
"""

from __future__ import annotations

import datetime as dt
import time

import msgspec
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.base import utcnow
from orchestrator.core.models import RevokedToken


class RevocationMessage(msgspec.Struct, frozen=True):
    """What is published when a token is revoked."""

    jti: str
    exp: int


class Denylist:
    """Revoked ``jti``s with their expiry; an expired entry is dropped lazily."""

    def __init__(self) -> None:
        self._entries: dict[str, int] = {}
        # False until the first full load: until then no token can be trusted.
        self.loaded = False

    def add(self, jti: str, exp: int) -> None:
        """Deny ``jti`` until ``exp`` (unix seconds)."""
        self._entries[jti] = exp

    def __contains__(self, jti: str) -> bool:
        return jti in self._entries

    def prune(self, now: float | None = None) -> None:
        """Forget entries whose tokens have expired."""
        cutoff = time.time() if now is None else now
        self._entries = {j: e for j, e in self._entries.items() if e > cutoff}

    def __len__(self) -> int:
        return len(self._entries)


def channel(namespace: str) -> str:
    """The pub/sub channel of revocations."""
    return f"{namespace}:revocations"


async def revoke(
    session: AsyncSession,
    *,
    jti: str,
    subject: str,
    expires_at: int,
    revoked_by: str,
    reason: str,
) -> None:
    """Record a revocation in the caller's transaction (idempotent on ``jti``)."""
    await session.execute(
        insert(RevokedToken)
        .values(
            jti=jti,
            subject=subject,
            expires_at=dt.datetime.fromtimestamp(expires_at, dt.UTC),
            revoked_by=revoked_by,
            reason=reason,
        )
        .on_conflict_do_nothing(index_elements=["jti"])
    )


async def announce(redis: Redis, namespace: str, *, jti: str, expires_at: int) -> None:
    """Tell every service now; call after the revocation is committed."""
    message = msgspec.json.encode(RevocationMessage(jti=jti, exp=expires_at))
    await redis.publish(channel(namespace), message)


class RevocationFeed:
    """Keeps a ``Denylist`` current: pub/sub messages plus a periodic reconcile."""

    # Rows are stamped with their transaction's start time, so a row can
    # commit with a stamp older than the last one seen: re-read an overlap.
    OVERLAP = dt.timedelta(seconds=10)

    def __init__(self, denylist: Denylist, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.denylist = denylist
        self._sessions = sessions
        self._since: dt.datetime | None = None
        self._decoder = msgspec.json.Decoder(RevocationMessage)

    async def on_message(self, data: bytes) -> None:
        """Apply one announced revocation."""
        revoked = self._decoder.decode(data)
        self.denylist.add(revoked.jti, revoked.exp)

    async def reconcile(self) -> None:
        """Load revocations recorded since the last pass."""
        query = select(RevokedToken.jti, RevokedToken.expires_at, RevokedToken.revoked_at).where(
            RevokedToken.expires_at > utcnow()
        )
        if self._since is not None:
            query = query.where(RevokedToken.revoked_at > self._since - self.OVERLAP)
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        for jti, expires_at, revoked_at in rows:
            self.denylist.add(jti, int(expires_at.timestamp()))
            if self._since is None or revoked_at > self._since:
                self._since = revoked_at
        if self._since is None:
            self._since = utcnow()
        self.denylist.prune()
        self.denylist.loaded = True
