"""A lean, multiplexed Redis connection for the gate's hot path.

redis-py's asyncio client spends about 85 µs of CPU per command (connection pool,
retry and observability layers, stream reader); the exec hot path has about 300 µs for
a whole request. This connection writes each command straight to one socket and matches
replies to callers in order (RESP is ordered), so concurrent calls pipeline by
themselves: about 10 µs per command under load (see ``bench/policy_gate.py``).

It speaks RESP2, which is all the gate needs (scripts answer integers, arrays and
errors), and is built from a ``redis.asyncio.Redis``'s own settings; TLS and credential
providers are left to redis-py (``from_redis`` answers ``None``). Errors are redis-py's,
so callers catch one hierarchy.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, cast

from redis.asyncio import Redis
from redis.asyncio.connection import Connection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

Reply = Any
"""int, bytes, None, or a list of replies."""

_CRLF = b"\r\n"
_INCOMPLETE = object()


Arg = str | int | bytes


def bulks(args: tuple[Arg, ...] | list[Arg]) -> bytes:
    """Arguments as RESP bulk strings (the body of a command array)."""
    parts = []
    for arg in args:
        data = (
            arg.encode() if isinstance(arg, str) else b"%d" % arg if isinstance(arg, int) else arg
        )
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def pack(args: tuple[Arg, ...]) -> bytes:
    """One command in RESP: an array of bulk strings."""
    return b"*%d\r\n" % len(args) + bulks(args)


def _error(message: str) -> ResponseError:
    return NoScriptError(message) if message.startswith("NOSCRIPT") else ResponseError(message)


def parse(buf: bytes | bytearray, pos: int) -> tuple[Reply, int]:
    """One reply starting at ``pos``: ``(reply, next position)``, or ``(_INCOMPLETE, pos)``."""
    end = buf.find(_CRLF, pos)
    if end < 0:
        return _INCOMPLETE, pos
    kind, line, after = buf[pos], buf[pos + 1 : end], end + 2
    if kind == 58:  # ':' integer
        return int(line), after
    if kind == 42:  # '*' array
        count = int(line)
        if count < 0:
            return None, after
        items: list[Reply] = []
        for _ in range(count):
            if buf[after : after + 1] == b":":  # the gate's replies: arrays of integers
                end = buf.find(_CRLF, after)
                if end >= 0:
                    items.append(int(buf[after + 1 : end]))
                    after = end + 2
                    continue
            item, after = parse(buf, after)
            if item is _INCOMPLETE:
                return _INCOMPLETE, pos
            items.append(item)
        return items, after
    if kind == 36:  # '$' bulk string
        size = int(line)
        if size < 0:
            return None, after
        if len(buf) < after + size + 2:
            return _INCOMPLETE, pos
        return bytes(buf[after : after + size]), after + size + 2
    if kind == 43:  # '+' simple string
        return bytes(line), after
    if kind == 45:  # '-' error: delivered to its caller, not raised here
        return _error(bytes(line).decode(errors="replace")), after
    raise RedisConnectionError(f"unexpected RESP type byte {kind!r}")


class _Protocol(asyncio.Protocol):
    def __init__(self, owner: RespConnection) -> None:
        self.owner = owner
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiters: collections.deque[tuple[asyncio.Future[Reply], float]] = collections.deque()
        self.pending: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        """Send a command; under load, all those of one loop iteration go out in one send.

        An idle connection sends at once (batching would only add a loop iteration).
        """
        if not self.pending:
            if len(self.waiters) <= 1 and self.transport is not None:
                self.transport.write(data)
                return
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(data)

    def flush(self) -> None:
        """Send the queued commands."""
        pending, self.pending = self.pending, []
        if not self.closed and self.transport is not None:
            self.transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        pos = 0
        try:
            while self.waiters:
                reply, after = parse(buf, pos)
                if reply is _INCOMPLETE:
                    break
                pos = after
                future = self.waiters.popleft()[0]
                if future.done():  # its caller was cancelled; the reply is dropped
                    continue
                if isinstance(reply, ResponseError):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except (RedisConnectionError, ValueError) as exc:  # a garbled stream: start over
            self.fail(RedisConnectionError(f"unreadable reply from Redis: {exc}"))
            return
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(RedisConnectionError(f"connection to Redis lost: {exc or 'closed'}"))

    def fail(self, exc: Exception) -> None:
        """Fail every waiting call and close: the next call reconnects."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        while self.waiters:
            future = self.waiters.popleft()[0]
            if not future.done():
                future.set_exception(exc)
        if self.owner.protocol is self:
            self.owner.protocol = None


class RespConnection:
    """One multiplexed connection, opened on first use and again after it breaks.

    A call that waits longer than ``timeout_s`` fails the connection, and with it every
    call in flight (their replies would be out of order anyway).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 6379,
        path: str | None = None,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        connect_timeout_s: float = 5.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.host, self.port, self.path, self.db = host, port, path, db
        self.username, self.password = username, password
        self.connect_timeout_s, self.timeout_s = connect_timeout_s, timeout_s
        self.protocol: _Protocol | None = None
        self.commands_sent = 0
        """Round trips so far (for benchmarks)."""
        self._connecting: asyncio.Lock | None = None
        self._watchdog: asyncio.TimerHandle | None = None

    @classmethod
    def from_redis(cls, redis: Redis) -> RespConnection | None:
        """The same server, database and credentials as ``redis``; ``None`` for TLS and the like."""
        pool = redis.connection_pool
        kwargs = pool.connection_kwargs
        if kwargs.get("credential_provider") is not None:
            return None
        db = int(kwargs.get("db") or 0)
        username, password = kwargs.get("username"), kwargs.get("password")
        connect_timeout_s = float(kwargs.get("socket_connect_timeout") or 5.0)
        timeout_s = float(kwargs.get("socket_timeout") or 5.0)
        if pool.connection_class is UnixDomainSocketConnection:
            host, port, path = "", 0, str(kwargs["path"])
        elif pool.connection_class is Connection:
            host, port, path = str(kwargs["host"]), int(kwargs.get("port") or 6379), None
        else:
            return None
        return cls(
            host=host,
            port=port,
            path=path,
            db=db,
            username=username,
            password=password,
            connect_timeout_s=connect_timeout_s,
            timeout_s=timeout_s,
        )

    async def _connect(self) -> _Protocol:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self.protocol is not None:
                return self.protocol
            loop = asyncio.get_running_loop()
            handshake: list[tuple[Arg, ...]] = []
            if self.password is not None:
                handshake.append(
                    ("AUTH", self.password)
                    if self.username is None
                    else ("AUTH", self.username, self.password)
                )
            if self.db:
                handshake.append(("SELECT", self.db))
            protocol: _Protocol | None = None
            try:
                async with asyncio.timeout(self.connect_timeout_s):
                    if self.path is not None:
                        _, protocol = await loop.create_unix_connection(
                            lambda: _Protocol(self), self.path
                        )
                    else:
                        _, protocol = await loop.create_connection(
                            lambda: _Protocol(self), self.host, self.port
                        )
                    for command in handshake:
                        await self._send(protocol, pack(command))
            except BaseException as exc:
                if protocol is not None:
                    protocol.fail(RedisConnectionError("handshake failed"))
                if isinstance(exc, TimeoutError):
                    raise RedisTimeoutError("timed out connecting to Redis") from exc
                if isinstance(exc, OSError):
                    raise RedisConnectionError(f"cannot connect to Redis: {exc}") from exc
                raise
            self.protocol = protocol
            return protocol

    def _send(self, protocol: _Protocol, payload: bytes) -> asyncio.Future[Reply]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Reply] = loop.create_future()
        now = loop.time()
        protocol.waiters.append((future, now))
        protocol.write(payload)
        self.commands_sent += 1
        if self._watchdog is None:
            self._watchdog = loop.call_at(now + self.timeout_s, self._check)
        return future

    def _check(self) -> None:
        """Fail a connection whose oldest call has waited past the timeout."""
        self._watchdog = None
        protocol = self.protocol
        if protocol is None or protocol.closed or not protocol.waiters:
            return
        loop = asyncio.get_running_loop()
        oldest = protocol.waiters[0][1]
        if loop.time() - oldest >= self.timeout_s:
            protocol.fail(RedisTimeoutError("timed out waiting for Redis"))
        else:
            self._watchdog = loop.call_at(oldest + self.timeout_s, self._check)

    async def execute(self, *args: Arg) -> Reply:
        """Send one command and wait for its reply (error replies raise redis-py's errors)."""
        return await self.execute_packed(pack(args))

    async def execute_packed(self, payload: bytes) -> Reply:
        """Send one command already in RESP (see ``pack``) and wait for its reply."""
        protocol = self.protocol
        if protocol is None or protocol.closed:
            protocol = await self._connect()
        return await self._send(protocol, payload)

    async def aclose(self) -> None:
        """Close the connection; calls in flight fail."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        protocol = self.protocol
        if protocol is not None:
            protocol.fail(RedisConnectionError("connection closed"))
