"""The denylist: durable in PostgreSQL, announced over Redis, mirrored in memory.

Two kinds of entry: one token (``jti``, in ``revoked_tokens``) and every token of a
subject issued up to a moment (in ``revoked_subjects``, ADR 0045; keys from
``orchestrator.core.auth.subjects``). A revocation is written to its table and
published on one Redis channel; every service applies the message at once, and a
reconcile poll of both tables heals any message missed while Redis was away.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

import msgspec
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.base import utcnow
from orchestrator.core.models import RevokedSubject, RevokedToken


class RevocationMessage(msgspec.Struct, frozen=True):
    """What is published when a token (``jti``) or a subject (``subject``, ``before``) is revoked.

    ``exp`` is when the entry may be forgotten. ``before`` is the revocation's moment
    in whole unix seconds: tokens of ``subject`` with ``iat <= before`` are refused.
    """

    exp: int
    jti: str | None = None
    subject: str | None = None
    before: int | None = None


@dataclass(frozen=True)
class SubjectRevocation:
    """Every token of ``subject`` issued at or before ``before`` is refused until ``until``."""

    subject: str
    revoked_before: dt.datetime
    until: int

    @property
    def before(self) -> int:
        """The moment in whole seconds, rounded down, as ``iat`` is compared to it.

        ``iat`` has one-second resolution, so a token issued in the same second as the
        revocation may have been issued before it: it is refused too (ADR 0045).
        """
        return math.floor(self.revoked_before.timestamp())


class Denylist:
    """Revoked ``jti``s and subjects, each with the time it may be forgotten."""

    def __init__(self) -> None:
        self._entries: dict[str, int] = {}
        # subject key -> (refuse ``iat <= before``, forget after ``until``)
        self._subjects: dict[str, tuple[int, int]] = {}
        # False until the first full load: until then no token can be trusted.
        self.loaded = False
        # Moves on whenever a token or a subject is newly refused: holders of a verified
        # token (a live stream) verify it again when it moved, instead of polling.
        self.generation = 0

    def add(self, jti: str, exp: int) -> None:
        """Deny ``jti`` until ``exp`` (unix seconds)."""
        if jti not in self._entries:
            self.generation += 1
        self._entries[jti] = exp

    def add_subject(self, subject: str, before: int, until: int) -> None:
        """Deny tokens of ``subject`` issued at or before ``before``; forget it after ``until``.

        A later revocation only moves the moment forward: an older message arriving
        late (or a reconcile pass) never shrinks what is refused.
        """
        known = self._subjects.get(subject)
        if known is not None:
            before, until = max(before, known[0]), max(until, known[1])
        if known is None or before != known[0]:
            self.generation += 1
        self._subjects[subject] = (before, until)

    def refuses(self, subjects: tuple[str, ...], issued_at: int) -> bool:
        """True when a subject revocation covers a token of ``subjects`` issued at ``issued_at``."""
        if not self._subjects:
            return False
        for subject in subjects:
            entry = self._subjects.get(subject)
            if entry is not None and issued_at <= entry[0]:
                return True
        return False

    def __contains__(self, jti: str) -> bool:
        return jti in self._entries

    def prune(self, now: float | None = None) -> None:
        """Forget entries whose tokens have expired."""
        cutoff = time.time() if now is None else now
        self._entries = {j: e for j, e in self._entries.items() if e > cutoff}
        # Kept through ``until`` itself: a token is still accepted at ``exp`` + leeway.
        self._subjects = {s: e for s, e in self._subjects.items() if e[1] >= cutoff}

    def __len__(self) -> int:
        return len(self._entries) + len(self._subjects)


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


async def revoke_subject(
    session: AsyncSession,
    *,
    subject: str,
    horizon_s: int,
    revoked_by: str,
    reason: str,
    now: dt.datetime | None = None,
) -> SubjectRevocation:
    """Refuse every token of ``subject`` issued up to now, in the caller's transaction.

    ``horizon_s`` is the longest a token issued just before can live (see
    ``subjects.revocation_horizon_s``). A subject revoked again keeps the later moment.
    """
    moment = utcnow() if now is None else now
    expires_at = moment + dt.timedelta(seconds=horizon_s)
    statement = insert(RevokedSubject).values(
        subject=subject,
        revoked_before=moment,
        expires_at=expires_at,
        revoked_by=revoked_by,
        reason=reason,
    )
    row = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["subject"],
            set_={
                "revoked_before": func.greatest(RevokedSubject.revoked_before, row.revoked_before),
                "expires_at": func.greatest(RevokedSubject.expires_at, row.expires_at),
                "revoked_at": func.now(),
                "revoked_by": row.revoked_by,
                "reason": row.reason,
            },
        )
    )
    return SubjectRevocation(subject, moment, math.ceil(expires_at.timestamp()))


async def announce_subject(redis: Redis, namespace: str, revoked: SubjectRevocation) -> None:
    """Tell every service of a subject revocation; call after it is committed."""
    message = RevocationMessage(exp=revoked.until, subject=revoked.subject, before=revoked.before)
    await redis.publish(channel(namespace), msgspec.json.encode(message))


def apply_locally(denylist: Denylist, revoked: SubjectRevocation) -> None:
    """Apply a committed subject revocation to this process's denylist without waiting."""
    denylist.add_subject(revoked.subject, revoked.before, revoked.until)


class RevocationFeed:
    """Keeps a ``Denylist`` current: pub/sub messages plus a periodic reconcile."""

    # Rows are stamped with their transaction's start time, so a row can
    # commit with a stamp older than the last one seen: re-read an overlap.
    OVERLAP = dt.timedelta(seconds=10)

    def __init__(self, denylist: Denylist, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.denylist = denylist
        self._sessions = sessions
        self._since: dt.datetime | None = None
        self._subjects_since: dt.datetime | None = None
        self._decoder = msgspec.json.Decoder(RevocationMessage)

    async def on_message(self, data: bytes) -> None:
        """Apply one announced revocation."""
        revoked = self._decoder.decode(data)
        if revoked.jti is not None:
            self.denylist.add(revoked.jti, revoked.exp)
        if revoked.subject is not None and revoked.before is not None:
            self.denylist.add_subject(revoked.subject, revoked.before, revoked.exp)

    async def reconcile(self) -> None:
        """Load revocations recorded since the last pass."""
        await self._reconcile_tokens()
        await self._reconcile_subjects()
        self.denylist.prune()
        self.denylist.loaded = True

    async def _reconcile_tokens(self) -> None:
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

    async def _reconcile_subjects(self) -> None:
        query = select(
            RevokedSubject.subject,
            RevokedSubject.revoked_before,
            RevokedSubject.expires_at,
            RevokedSubject.revoked_at,
        ).where(RevokedSubject.expires_at > utcnow())
        if self._subjects_since is not None:
            query = query.where(RevokedSubject.revoked_at > self._subjects_since - self.OVERLAP)
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        for subject, revoked_before, expires_at, revoked_at in rows:
            revoked = SubjectRevocation(subject, revoked_before, math.ceil(expires_at.timestamp()))
            apply_locally(self.denylist, revoked)
            if self._subjects_since is None or revoked_at > self._subjects_since:
                self._subjects_since = revoked_at
        if self._subjects_since is None:
            self._subjects_since = utcnow()
