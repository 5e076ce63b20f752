"""Channel sessions in Redis: at most ``cap`` open per user and workspace, the oldest closed
first, each ending when idle.

A session is a key with a TTL (``idle_ms``, renewed by the session's stream and actions);
each user's sessions of a workspace are a sorted set ordered by a per-workspace sequence,
and the workspace's open sessions another sorted set scored by expiry (the presence count).
Opening runs as one Lua script, so twenty opens racing from one user serialize in Redis
and leave exactly ``cap`` sessions, the newest (ADR 0102). Every key of a workspace shares
the hash tag ``{<workspace id>}``, so the scripts run on one Redis Cluster slot.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: user's set, workspace's live set, workspace's sequence.
# ARGV: session id, actor, idle ms, cap, session key prefix.
_OPEN = (
    _NOW
    + """
local idle = tonumber(ARGV[3])
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('EXISTS', ARGV[5] .. member) == 0 then
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
  end
end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('SET', ARGV[5] .. ARGV[1], ARGV[2], 'PX', idle)
redis.call('ZADD', KEYS[2], now + idle, ARGV[1])
local closed = {}
while redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[4]) do
  local oldest = redis.call('ZPOPMIN', KEYS[1])
  redis.call('DEL', ARGV[5] .. oldest[1])
  redis.call('ZREM', KEYS[2], oldest[1])
  table.insert(closed, oldest[1])
end
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('PEXPIRE', KEYS[2], idle)
return {seq, redis.call('ZCARD', KEYS[2]), closed}
"""
)

_OWNED = """
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
"""
_RENEW = """
local idle = tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('PEXPIRE', KEYS[3], idle)
redis.call('ZADD', KEYS[2], now + idle, ARGV[1])
redis.call('PEXPIRE', KEYS[2], idle)
return 1
"""

# KEYS: session key, workspace's live set, user's set. ARGV: session id, actor, idle ms.
_TOUCH = _NOW + _OWNED + _RENEW

# KEYS: session key, workspace's live set, user's set, session's action count.
# ARGV: session id, actor, idle ms, actions allowed a window, window ms.
# Reply: 1 renewed and counted, 0 not open (or not the actor's), -N refused for N more ms.
_SPEND = (
    _NOW
    + _OWNED
    + """
local spent = redis.call('INCR', KEYS[4])
if spent == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[5]) end
if spent > tonumber(ARGV[4]) then
  return -math.max(redis.call('PTTL', KEYS[4]), 1)
end
"""
    + _RENEW
)

# KEYS: session key, workspace's live set, user's set. ARGV: session id, actor.
_CLOSE = (
    _OWNED
    + """
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""
)

# KEYS: workspace's live set.
_PRESENCE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
"""
)


class SessionGone(Exception):
    """The session is not open (closed, expired) or not the caller's."""


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: its id, its place in the workspace's order, the sessions open on the
    workspace now, and the caller's sessions this opening closed (oldest first)."""

    session_id: str
    sequence: int
    sessions: int
    closed: list[str]


def new_session_id() -> str:
    """An unguessable session id."""
    return secrets.token_urlsafe(18)


class ChannelSessions:
    """Open, renew, close and count the sessions of every workspace's channel."""

    def __init__(
        self,
        redis: Redis,
        namespace: str,
        *,
        cap: int,
        idle_s: float,
        actions_per_minute: int = 30,
    ) -> None:
        self._redis = redis
        self._namespace = namespace
        self.cap = cap
        self.idle_ms = int(idle_s * 1000)
        self.actions_per_minute = actions_per_minute
        self._open = redis.register_script(_OPEN)
        self._touch = redis.register_script(_TOUCH)
        self._spend = redis.register_script(_SPEND)
        self._close = redis.register_script(_CLOSE)
        self._presence = redis.register_script(_PRESENCE)

    def _prefix(self, workspace_id: uuid.UUID) -> str:
        return f"{self._namespace}:chan:{{{workspace_id}}}"

    def _user(self, workspace_id: uuid.UUID, actor: str) -> str:
        return f"{self._prefix(workspace_id)}:user:{actor}"

    def _live(self, workspace_id: uuid.UUID) -> str:
        return f"{self._prefix(workspace_id)}:live"

    def _session(self, workspace_id: uuid.UUID) -> str:
        return f"{self._prefix(workspace_id)}:session:"

    async def open(self, workspace_id: uuid.UUID, actor: str) -> Opened:
        """A new session of ``actor`` (a stable key: ``operator:<name>``, ``guest:<key>``);
        past ``cap``, their oldest sessions are closed in the same step."""
        session_id = new_session_id()
        keys = [
            self._user(workspace_id, actor),
            self._live(workspace_id),
            f"{self._prefix(workspace_id)}:seq",
        ]
        args: list[str | int] = [
            session_id,
            actor,
            self.idle_ms,
            self.cap,
            self._session(workspace_id),
        ]
        sequence, sessions, closed = await self._open(keys=keys, args=args)
        return Opened(
            session_id,
            int(sequence),
            int(sessions),
            [c.decode() if isinstance(c, bytes) else str(c) for c in closed],
        )

    def _keys(self, workspace_id: uuid.UUID, actor: str, session_id: str) -> list[str]:
        return [
            self._session(workspace_id) + session_id,
            self._live(workspace_id),
            self._user(workspace_id, actor),
        ]

    async def touch(self, workspace_id: uuid.UUID, actor: str, session_id: str) -> bool:
        """Renew ``actor``'s session; False when it is closed, expired or someone else's."""
        keys = self._keys(workspace_id, actor, session_id)
        return bool(await self._touch(keys=keys, args=[session_id, actor, self.idle_ms]))

    async def spend(self, workspace_id: uuid.UUID, actor: str, session_id: str) -> float | None:
        """Count one action of ``actor``'s session and renew it: None when allowed, else
        the seconds to wait (the session's ``actions_per_minute`` are spent);
        ``SessionGone`` when the session is not open or not the actor's."""
        keys = [
            *self._keys(workspace_id, actor, session_id),
            f"{self._prefix(workspace_id)}:spent:{session_id}",
        ]
        args: list[str | int] = [session_id, actor, self.idle_ms, self.actions_per_minute, 60_000]
        reply = int(await self._spend(keys=keys, args=args))
        if reply == 0:
            raise SessionGone
        return None if reply > 0 else -reply / 1000

    async def close(self, workspace_id: uuid.UUID, actor: str, session_id: str) -> bool:
        """Close ``actor``'s session; False when it was not open (or not theirs)."""
        keys = self._keys(workspace_id, actor, session_id)
        return bool(await self._close(keys=keys, args=[session_id, actor]))

    async def presence(self, workspace_id: uuid.UUID) -> int:
        """How many sessions are open on the workspace's channel."""
        return int(await self._presence(keys=[self._live(workspace_id)]))

    async def active(self, workspace_id: uuid.UUID, actor: str) -> list[str]:
        """``actor``'s open sessions, oldest first (tests, diagnostics)."""
        members = await self._redis.zrange(self._user(workspace_id, actor), 0, -1)
        alive: list[str] = []
        for member in members:
            session_id = member.decode() if isinstance(member, bytes) else str(member)
            if await self._redis.exists(self._session(workspace_id) + session_id):
                alive.append(session_id)
        return alive
