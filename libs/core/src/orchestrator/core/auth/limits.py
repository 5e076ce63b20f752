"""Abuse limits keyed by credentials, shared by every replica through Redis.

- ``FailureThrottle``: failed client authentications at ``/oauth/token``, counted per
  (client id, address), per address and per client id in fixed windows; a key over its
  cap is refused (429) before its secret is even checked. A success is never counted,
  and makes its address a known one for that client for ``KNOWN_ADDRESS_S``: there only
  the pair's own cap applies, so failures sprayed at a client id from elsewhere (or at
  other clients from the same address) cannot lock the legitimate client out.
- ``StreamSlots``: concurrent SSE streams per token (``jti``), as leases in a sorted set
  that a live stream renews, so a crashed process's slots expire on their own.

Both fail open when Redis does not answer: the secret check and the token still apply,
and refusing every client because a counter is unreachable would be the greater harm.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import math
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError

from orchestrator.core.errors import AuthenticationThrottled, TooManyStreams
from orchestrator.core.settings import AuthSettings

T = TypeVar("T")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(cidrs: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(c.strip(), strict=False) for c in cidrs.split(",") if c.strip()
    )


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, headers: Mapping[str, str], trusted_proxies: str) -> str:
    """The address a request came from, as a counter's key.

    The peer, unless it is a trusted proxy: then the right-most ``X-Forwarded-For`` entry
    that is not one (entries to its left could be forged by the client). An IPv6
    address counts as its /64, which one client usually holds whole.
    """
    address = peer or "unknown"
    networks = _networks(trusted_proxies)
    if networks and _trusted(address, networks):
        for hop in reversed(headers.get("x-forwarded-for", "").split(",")):
            hop = hop.strip()
            if hop and not _trusted(hop, networks):
                address = hop
                break
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


KNOWN_ADDRESS_S = 7 * 24 * 3600
"""How long an address a client authenticated from stays known for it."""


@dataclass(frozen=True)
class Standing:
    """Failures counted so far for one attempt's keys."""

    pair_failures: int


class FailureThrottle:
    """Failed client authentications: counted on failure, checked before each attempt."""

    def __init__(self, redis: Redis, namespace: str, settings: AuthSettings) -> None:
        self._redis = redis
        self._namespace = namespace
        self._window_s = settings.failure_window_s
        self._caps = (
            settings.failures_per_client_address,
            settings.failures_per_address,
            settings.failures_per_client,
        )

    def _keys(self, client_id: str, address: str) -> tuple[str, str, str]:
        base = f"{self._namespace}:auth-failures"
        return (
            f"{base}:pair:{address}:{client_id}",
            f"{base}:address:{address}",
            f"{base}:client:{client_id}",
        )

    def _known_key(self, client_id: str, address: str) -> str:
        return f"{self._namespace}:auth-known:{address}:{client_id}"

    async def check(self, client_id: str, address: str) -> Standing:
        """Raise ``AuthenticationThrottled`` when any of the attempt's keys is at its cap
        (only the pair's, from an address the client is known at)."""
        keys = self._keys(client_id, address)
        try:
            *found, known = await self._redis.mget([*keys, self._known_key(client_id, address)])
            counts = [int(c or 0) for c in found]
            checked = 1 if known else len(keys)
            over = [
                key
                for key, count, cap in zip(
                    keys[:checked], counts[:checked], self._caps[:checked], strict=True
                )
                if count >= cap
            ]
            if not over:
                return Standing(pair_failures=counts[0])
            # Refused: the wait is the longest of the windows that refuse.
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in over:
                    pipe.pttl(key)
                wait_ms = max(await pipe.execute())
        except RedisError as exc:
            logger.warning("authentication failures not checked: {!r}", exc)
            return Standing(pair_failures=0)
        retry_after = max(1, math.ceil(wait_ms / 1000)) if wait_ms > 0 else self._window_s
        raise AuthenticationThrottled(
            "Too many failed client authentications; try again later.",
            headers={"Retry-After": str(retry_after)},
        )

    async def failed(self, client_id: str, address: str) -> None:
        """Count one failed authentication against each of the attempt's keys."""
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for key in self._keys(client_id, address):
                    # The window starts at a key's first failure and is not extended.
                    pipe.set(key, 0, ex=self._window_s, nx=True)
                    pipe.incr(key)
                await pipe.execute()
        except RedisError as exc:
            logger.warning("authentication failure not counted: {!r}", exc)

    async def succeeded(self, client_id: str, address: str, standing: Standing) -> None:
        """Forget the pair's failures after a success (a client that mistyped its secret)
        and know the address for the client; the address's and the client's counts stay.

        One round trip: the known address's lease renewed, and the pair's count dropped.
        """
        with contextlib.suppress(RedisError):
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.set(self._known_key(client_id, address), 1, ex=KNOWN_ADDRESS_S)
                if standing.pair_failures:
                    pipe.delete(self._keys(client_id, address)[0])
                await pipe.execute()


# Slots are leases scored by their end (ms, Redis's clock): acquiring drops ended ones.
# Renewing only extends a slot still there (XX), so a renewal racing with the release
# cannot bring a slot back; a stream whose lease lapsed runs on uncounted.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2]) == 0 then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""

# Releases run as tasks of their own: a stream's generator is closed inside a cancelled
# scope, where an awaited release would itself be cancelled.
_RELEASING: set[asyncio.Task[None]] = set()


class StreamSlots:
    """Concurrent streams per token, across replicas: at most ``per_token`` leases per key."""

    def __init__(
        self, redis: Redis, namespace: str, *, per_token: int, lease_s: float = 30.0
    ) -> None:
        self._redis = redis
        self._namespace = namespace
        self._per_token = per_token
        self._lease_ms = max(1, int(lease_s * 1000))
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)

    @property
    def lease_s(self) -> float:
        """How long a slot outlives its last renewal (a crashed process's slots, at most)."""
        return self._lease_ms / 1000

    async def acquire(self, token_id: str) -> StreamSlot | None:
        """A slot for one more stream of ``token_id``; ``TooManyStreams`` at the cap.

        None when Redis does not answer: the stream runs uncounted.
        """
        key = f"{self._namespace}:streams:{token_id}"
        member = uuid.uuid4().hex
        try:
            granted = await self._acquire(
                keys=[key], args=[self._per_token, self._lease_ms, member]
            )
        except RedisError as exc:
            logger.warning("stream slot not counted: {!r}", exc)
            return None
        if not granted:
            raise TooManyStreams(
                f"This token already holds {self._per_token} event streams; close one first.",
                headers={"Retry-After": str(math.ceil(self.lease_s))},
            )
        return StreamSlot(self, key, member)

    async def renew(self, key: str, member: str) -> None:
        """Extend a held slot's lease."""
        with contextlib.suppress(RedisError):
            await self._renew(keys=[key], args=[self._lease_ms, member])

    async def release(self, key: str, member: str) -> None:
        """Free a slot at once."""
        with contextlib.suppress(RedisError):
            await self._redis.zrem(key, member)


class StreamSlot:
    """One held slot: renewed while its stream runs, released when it ends."""

    def __init__(self, slots: StreamSlots, key: str, member: str) -> None:
        self._slots = slots
        self._key = key
        self._member = member

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self._slots.lease_s / 3)
            await self._slots.renew(self._key, self._member)

    async def hold(self, messages: AsyncIterator[T]) -> AsyncGenerator[T]:
        """``messages``, with the slot renewed while they flow and released when they end.

        Renewal starts with the first message: a response that never starts leaves a slot
        that simply expires.
        """
        loop = asyncio.get_running_loop()
        renewing = loop.create_task(self._renew_forever())
        try:
            async for message in messages:
                yield message
        finally:
            renewing.cancel()
            release = loop.create_task(self._slots.release(self._key, self._member))
            _RELEASING.add(release)
            release.add_done_callback(_RELEASING.discard)
            if isinstance(messages, AsyncGenerator):
                await messages.aclose()
