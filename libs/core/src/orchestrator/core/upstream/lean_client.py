"""The upstream client on asyncio protocols and httptools: HTTP/1.1 with keep-alive, no more.

The execution plane's calls are simple: one request, one whole response, no redirects,
no cookies, no proxies. A general client pays per call for what these never use
(aiohttp builds a request, a response, a stream reader and several timers for each);
this one writes the request in one buffer, parses the answer with llhttp through
httptools, and watches both timeouts with one timer. ``bench/upstream.py`` measures it
next to the other candidates (ADR 0037).

The address policy is enforced on the resolved address actually connected to, and on
literal IP hosts, before any packet is sent.

This module holds the client and its keep-alive pool per origin; ``lean_request``
writes the request head and ``lean_connection`` is one connection and its parser.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections import deque
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamBadResponse,
    UpstreamConnectError,
    UpstreamRefused,
    UpstreamRequest,
    UpstreamResponse,
    UpstreamTimeout,
)
from orchestrator.core.upstream.lean_connection import Connection
from orchestrator.core.upstream.lean_request import Target, encode_head, parse_target
from orchestrator.core.upstream.ssrf import METADATA_HOSTS, AddressRefused, NetworkPolicy

_CACHE_LIMIT: Final = 4096


class _Origin:
    """The idle connections to one scheme/host/port, and callers waiting for a slot."""

    __slots__ = ("idle", "open", "waiters")

    def __init__(self) -> None:
        self.idle: list[Connection] = []
        self.open = 0
        self.waiters: deque[asyncio.Future[None]] = deque()


class LeanUpstreamClient:
    """``UpstreamClient`` on asyncio and httptools: keep-alive pool, no redirects, no cookies."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        pool_size_per_host: int = 128,
        keepalive_s: float = 30.0,
        dns_cache_s: float = 10.0,
        max_response_bytes: int = 10_485_760,
    ) -> None:
        self._policy = policy
        self._per_host = pool_size_per_host
        self._keepalive_s = keepalive_s
        self._dns_cache_s = dns_cache_s
        self._max_body = max_response_bytes
        self._origins: dict[tuple[str, str, int], _Origin] = {}
        self._targets: dict[str, Target] = {}
        self._addresses: dict[tuple[str, int], tuple[float, list[str]]] = {}
        self._ssl: ssl.SSLContext | None = None

    def _target(self, url: str) -> Target:
        target = self._targets.get(url)
        if target is None:
            target = parse_target(url)
            if len(self._targets) >= _CACHE_LIMIT:
                self._targets.clear()
            self._targets[url] = target
        return target

    async def request(self, req: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
        """Send ``req`` and read the whole response, within ``timeouts``."""
        if timeouts.total_s <= 0:
            raise UpstreamTimeout("total", timeouts.total_s)
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeouts.total_s
        target = self._target(req.url)
        head = encode_head(req, target)
        origin = self._origins.get(target.origin)
        if origin is None:
            origin = self._origins[target.origin] = _Origin()
        conn = await self._checkout(origin, target, timeouts, deadline)
        try:
            if loop.time() >= deadline:
                raise UpstreamTimeout("total", timeouts.total_s)
            await conn.exchange(head, req.body, timeouts, deadline, is_head=req.method == "HEAD")
            body = b"".join(conn.body)
            headers = CIMultiDictProxy(CIMultiDict(conn.headers))
            encoding = headers.get("Content-Encoding", "").lower()
            if encoding in ("gzip", "deflate") and body:
                body = self._decompress(body)
            return UpstreamResponse(
                status=conn.status,
                headers=headers,
                body=body,
                elapsed_s=time.perf_counter() - started,
            )
        except asyncio.CancelledError:
            conn.abort()
            raise
        finally:
            self._release(origin, conn)

    def _decompress(self, body: bytes) -> bytes:
        decoder = zlib.decompressobj(wbits=47)  # gzip or zlib, detected from the header
        try:
            out = decoder.decompress(body, self._max_body + 1)
        except zlib.error as exc:
            raise UpstreamConnectError(
                f"undecodable upstream body: {exc}", request_sent=True
            ) from exc
        if len(out) > self._max_body or decoder.unconsumed_tail:
            raise UpstreamBadResponse(
                f"the upstream response is larger than {self._max_body} bytes"
            )
        return out

    async def _checkout(
        self, origin: _Origin, target: Target, timeouts: Timeouts, deadline: float
    ) -> Connection:
        """An idle connection, a new one, or the next one freed when the origin is full."""
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        while origin.idle:
            conn = origin.idle.pop()
            if not conn.closed and now - conn.idle_since < self._keepalive_s:
                return conn
            origin.open -= 1
            conn.abort()
        while origin.open >= self._per_host:
            waiter = loop.create_future()
            origin.waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except TimeoutError as exc:
                raise UpstreamTimeout("total", timeouts.total_s) from exc
            finally:
                if not waiter.done():
                    waiter.cancel()
            if origin.idle:
                return await self._checkout(origin, target, timeouts, deadline)
        origin.open += 1
        try:
            return await self._connect(target, timeouts, deadline)
        except BaseException:
            origin.open -= 1
            self._wake(origin)
            raise

    def _release(self, origin: _Origin, conn: Connection) -> None:
        if conn.reusable and not conn.closed:
            conn.idle_since = time.monotonic()
            origin.idle.append(conn)
        else:
            origin.open -= 1
            conn.abort()
        self._wake(origin)

    @staticmethod
    def _wake(origin: _Origin) -> None:
        while origin.waiters:
            waiter = origin.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _resolve(self, target: Target) -> list[str]:
        """The addresses of the target's host the policy lets us reach; ``AddressRefused``
        if none."""
        host, port = target.host, target.port
        if target.address is not None:
            self._policy.check(host, host)
            return [host]
        if host in METADATA_HOSTS:
            raise AddressRefused(host, host, "a cloud metadata service")
        cached = self._addresses.get((host, port))
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = [address for address in found if self._policy.refusal(address) is None]
        if not allowed:
            first = found[0] if found else ""
            raise AddressRefused(host, first, self._policy.refusal(first) or "unresolvable")
        if len(self._addresses) >= _CACHE_LIMIT:
            self._addresses.clear()
        self._addresses[(host, port)] = (now + self._dns_cache_s, allowed)
        return allowed

    async def _connect(self, target: Target, timeouts: Timeouts, deadline: float) -> Connection:
        loop = asyncio.get_running_loop()
        context = None
        if target.scheme == "https":
            context = self._ssl = self._ssl or ssl.create_default_context()
        connect_by = min(loop.time() + timeouts.connect_s, deadline)
        try:
            async with asyncio.timeout_at(connect_by):
                addresses = await self._resolve(target)
                last: OSError | None = None
                for address in addresses:
                    try:
                        _, conn = await loop.create_connection(
                            lambda: Connection(self._max_body),
                            address,
                            target.port,
                            ssl=context,
                            server_hostname=target.host if context else None,
                        )
                        return conn
                    except OSError as exc:
                        last = exc
                assert last is not None
                raise last
        except AddressRefused as exc:
            raise UpstreamRefused(
                str(exc), host=exc.host, address=exc.address, reason=exc.reason
            ) from exc
        except TimeoutError as exc:
            if connect_by >= deadline:
                raise UpstreamTimeout("total", timeouts.total_s) from exc
            raise UpstreamTimeout("connect", timeouts.connect_s) from exc
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamConnectError(
                f"cannot connect to the upstream: {exc}", request_sent=False
            ) from exc

    async def close(self) -> None:
        """Close pooled connections (in-flight ones close when their exchange ends)."""
        for origin in self._origins.values():
            for conn in origin.idle:
                conn.abort()
            origin.open -= len(origin.idle)
            origin.idle.clear()
        await asyncio.sleep(0)
