"""Console sessions in Redis: the operator's token stays here, the browser holds only an
opaque id. A session ends when unused for ``idle_s`` or when its token expires, whichever
comes first; ended sessions are claimed once by a sweeper, which revokes their tokens."""

from __future__ import annotations

import hashlib
import secrets
import time

import msgspec
from redis.asyncio import Redis

GRACE_S = 60
"""Redis keeps an ended session this much longer, so the sweeper can still revoke its token."""
FLASH_TTL_S = 300
REFRESH_CLAIM_S = 5


class Flash(msgspec.Struct, frozen=True):
    """A one-time notice shown on the next page (``ok`` or ``error``)."""

    kind: str
    text: str


class Impersonation(msgspec.Struct, kw_only=True):
    """A running impersonation: its exec token stays here, never in the browser."""

    jti: str
    workspace_id: str
    workspace_name: str = ""
    expires_at: int
    reason: str
    token: str

    def active(self, now: float) -> bool:
        """Whether the token is still valid at ``now`` (the API refuses it afterwards)."""
        return self.expires_at > now


class GuestPass(msgspec.Struct, kw_only=True):
    """What marks a session as a guest's (ADR 0108): its token is a channel-only guest
    token, refreshed while less than half its lifetime is left, never past ``ends_at``."""

    lifetime_s: int
    """The lifetime of the token the guest holds now."""
    ends_at: int
    """No refresh reaches past this (``ORCH_CHANNEL_GUEST_SESSION_MAX_S`` after the redeem)."""

    def due(self, token_expires_at: int, now: float) -> bool:
        """Whether the token should be refreshed at ``now``: half its life gone, and a
        refresh would give it more."""
        return token_expires_at < self.ends_at and token_expires_at - now < self.lifetime_s / 2


class ConsoleSession(msgspec.Struct, kw_only=True):
    """What the console keeps for one signed-in operator, or one guest (``guest``)."""

    token: str
    token_expires_at: int
    csrf: str
    subject: str
    role: str
    organization_id: str
    workspace_id: str
    permissions: list[str]
    expires_at: float = 0.0
    impersonation: Impersonation | None = None
    guest: GuestPass | None = None
    """Set for a guest's session: it may use only its workspace's channel panel."""

    def can(self, permission: str) -> bool:
        """Whether the operator's role holds ``permission`` (the API checks again)."""
        return permission in self.permissions

    def impersonating(self) -> Impersonation | None:
        """The impersonation this operator is running now; None once it has expired."""
        running = self.impersonation
        return running if running is not None and running.active(time.time()) else None


def new_session_id() -> str:
    """An unguessable cookie value (256 bits)."""
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    """A per-session token every mutation must echo."""
    return secrets.token_urlsafe(32)


def session_expiry(token_expires_at: int, idle_s: int, now: float) -> float:
    """When a session touched at ``now`` ends: idle timeout or token expiry, the earlier."""
    return min(float(token_expires_at), now + idle_s)


class SessionStore:
    """Sessions keyed by a digest of the cookie (a Redis dump shows no usable cookie)."""

    def __init__(self, redis: Redis, namespace: str, idle_s: int) -> None:
        self.redis, self.idle_s = redis, idle_s
        self.prefix = f"{namespace}:console:session:"
        self.expiry_key = f"{namespace}:console:expiry"
        self.encoder = msgspec.json.Encoder()
        self.decoder = msgspec.json.Decoder(ConsoleSession)

    async def create(self, session: ConsoleSession) -> str:
        """Store a new session; its cookie value."""
        session_id = new_session_id()
        await self._save(_digest(session_id), session, time.time())
        return session_id

    async def load(self, session_id: str) -> ConsoleSession | None:
        """The live session for a cookie, its idle clock restarted; None if it ended.

        Only the expiry moves (the key's TTL and its score): rewriting the record here
        would race a request that changes the session (an impersonation started) and put
        the old record back."""
        digest = _digest(session_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(self.prefix + digest)
            pipe.zscore(self.expiry_key, digest)
            raw, ends = await pipe.execute()
        now = time.time()
        if raw is None or ends is None or float(ends) <= now:
            return None
        session = self.decoder.decode(raw)
        session.expires_at = session_expiry(session.token_expires_at, self.idle_s, now)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.expire(self.prefix + digest, _ttl(session.expires_at, now))
            pipe.zadd(self.expiry_key, {digest: session.expires_at}, xx=True)
            await pipe.execute()
        return session

    async def replace(
        self, session_id: str, session: ConsoleSession, *, live_only: bool = False
    ) -> bool:
        """Store a changed session (a new workspace, a new token); ``live_only``: only if
        it has not ended meanwhile (a refresh racing a sign-out must not bring it back).
        Whether it was stored."""
        return await self._save(_digest(session_id), session, time.time(), live_only=live_only)

    async def destroy(self, session_id: str) -> ConsoleSession | None:
        """End a session now (sign-out); the session it was, to revoke its token."""
        digest = _digest(session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.getdel(self.prefix + digest)
            pipe.zrem(self.expiry_key, digest)
            pipe.delete(self._flash_key(digest))
            raw, _, _ = await pipe.execute()
        return None if raw is None else self.decoder.decode(raw)

    async def claim_ended(self, now: float, limit: int = 100) -> list[ConsoleSession]:
        """Sessions past their end, each handed to exactly one caller and then deleted."""
        digests = await self.redis.zrangebyscore(self.expiry_key, "-inf", now, 0, limit)
        ended: list[ConsoleSession] = []
        for raw_digest in digests:
            digest = raw_digest.decode() if isinstance(raw_digest, bytes) else str(raw_digest)
            if not await self.redis.zrem(self.expiry_key, digest):
                continue  # another console process claimed it
            raw = await self.redis.getdel(self.prefix + digest)
            if raw is not None:
                ended.append(self.decoder.decode(raw))
        return ended

    async def claim_refresh(self, session_id: str) -> bool:
        """Whether this caller refreshes the session's token now (one at a time, for
        ``REFRESH_CLAIM_S``; concurrent requests of the session go on with the old one)."""
        key = f"{self.prefix}{_digest(session_id)}:refresh"
        return bool(await self.redis.set(key, b"1", nx=True, ex=REFRESH_CLAIM_S))

    async def flash(self, session_id: str, kind: str, text: str) -> None:
        """Keep a notice for the next page this session shows."""
        key = self._flash_key(_digest(session_id))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, self.encoder.encode(Flash(kind, text)))
            pipe.expire(key, FLASH_TTL_S)
            await pipe.execute()

    async def pop_flashes(self, session_id: str) -> list[Flash]:
        """The notices kept for this session, now forgotten."""
        key = self._flash_key(_digest(session_id))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            raw, _ = await pipe.execute()
        return [msgspec.json.decode(item, type=Flash) for item in raw]

    async def _save(
        self, digest: str, session: ConsoleSession, now: float, *, live_only: bool = False
    ) -> bool:
        session.expires_at = session_expiry(session.token_expires_at, self.idle_s, now)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(
                self.prefix + digest,
                self.encoder.encode(session),
                ex=_ttl(session.expires_at, now),
                xx=live_only,
            )
            pipe.zadd(self.expiry_key, {digest: session.expires_at}, xx=live_only)
            stored, _ = await pipe.execute()
        return bool(stored)

    def _flash_key(self, digest: str) -> str:
        return f"{self.prefix}{digest}:flash"


def _ttl(expires_at: float, now: float) -> int:
    """Redis keeps a session ``GRACE_S`` past its end, for the sweeper to revoke its token."""
    return max(1, int(expires_at - now) + GRACE_S)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
