"""The upstream client on asyncio protocols and httptools: HTTP/1.1 with keep-alive, no more.

The execution plane's calls are simple: one request, one whole response, no redirects,
no cookies, no proxies. A general client pays per call for what these never use
(aiohttp builds a request, a response, a stream reader and several timers for each);
this one writes the request in one buffer, parses the answer with llhttp through
httptools, and watches both timeouts with one timer. ``bench/upstream.py`` measures it
next to the other candidates (ADR 0037).

The address policy is enforced on the resolved address actually connected to, and on
literal IP hosts, before any packet is sent.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Final, cast
from urllib.parse import quote, urlsplit

import httptools
from multidict import CIMultiDict, CIMultiDictProxy

from orchestrator.core.connectors.ssrf import (
    METADATA_HOSTS,
    AddressRefused,
    HostInvalid,
    IPAddress,
    NetworkPolicy,
    normalise_host,
)
from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamBadResponse,
    UpstreamConnectError,
    UpstreamError,
    UpstreamRefused,
    UpstreamRequest,
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnsendable,
    check_headers,
)

USER_AGENT: Final = "orchestrator/0.1"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_TARGET_SAFE: Final = "/?:@!$&'()*+,;=-._~%[]"
_CACHE_LIMIT: Final = 4096
_NO_BODY_STATUSES: Final = frozenset({204, 304})


@dataclass(frozen=True, slots=True)
class _Target:
    """A parsed request URL: where to connect and what to put on the request line."""

    scheme: str
    host: str
    """Normalised (``ssrf.normalise_host``): an A-label name or an address's text."""
    address: IPAddress | None
    port: int
    host_header: str
    target: str
    """Path and query, as sent on the request line."""

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def parse_target(url: str) -> _Target:
    """Split an absolute http(s) URL; ``UpstreamUnsendable`` when it cannot be used.

    The host is normalised as the configuration-time check normalised it, so the
    address policy judges, and the client connects to, the same host.
    """
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise UpstreamUnsendable(
            "unusable upstream URL: whitespace or control characters", reason="invalid URL"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
        host = normalise_host(parts.hostname or "")
    except (ValueError, HostInvalid) as exc:
        raise UpstreamUnsendable(f"unusable upstream URL: {exc}", reason="invalid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or "@" in parts.netloc:
        raise UpstreamUnsendable(
            "unusable upstream URL: not http(s), or with credentials", reason="invalid URL"
        )
    default = _DEFAULT_PORTS[scheme]
    port = port or default
    shown = f"[{host.name}]" if ":" in host.name else host.name
    host_header = shown if port == default else f"{shown}:{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not target.isascii():  # a request line is ASCII: percent-encode as UTF-8
        target = quote(target, safe=_TARGET_SAFE)
    return _Target(scheme, host.name, host.address, port, host_header, target)


def encode_head(req: UpstreamRequest, target: _Target) -> bytes:
    """The request line and headers; the client sets Host, Content-Length and Connection."""
    check_headers(req.headers)
    lines = [f"{req.method} {target.target} HTTP/1.1", f"Host: {target.host_header}"]
    agent = True
    for name, value in req.headers.items():
        lowered = name.lower()
        if lowered in ("host", "content-length", "connection", "transfer-encoding"):
            continue
        agent = agent and lowered != "user-agent"
        lines.append(f"{name}: {value}")
    if agent:
        lines.append(f"User-Agent: {USER_AGENT}")
    if req.body is not None or req.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(req.body or b'')}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("ascii")


class _Connection(asyncio.Protocol):
    """One keep-alive connection, answering one request at a time."""

    def __init__(self, max_body: int) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.max_body = max_body
        self.closed = False
        self.reusable = False
        self.idle_since = 0.0
        self._loop = asyncio.get_running_loop()
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._deadline = 0.0
        self._read_s = 0.0
        self._last_read = 0.0
        self._timeouts: Timeouts | None = None
        self._head = False
        self._until_eof = False
        self._headers_done = False
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self._size = 0

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # bytes nobody asked for: the connection is unusable
            self.abort()
            return
        self._last_read = self._loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(
                UpstreamConnectError(f"malformed upstream response: {exc}", request_sent=True)
            )

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self._waiter is None:
            return
        if self._until_eof and self._headers_done:
            self._done()  # a response without a length ends with its connection
            return
        reason = f": {exc}" if exc else ""
        self._fail(
            UpstreamConnectError(
                f"the upstream closed the connection before a whole response{reason}",
                request_sent=True,
            )
        )

    # -- httptools callbacks --------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self.status = self.parser.get_status_code()
        if self.status < 200:  # an interim answer (1xx): the real one follows
            self._headers_done = False
            self.headers = []
            return
        names = {name.lower(): value for name, value in self.headers}
        length = names.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            self._fail(
                UpstreamBadResponse(f"the upstream response is larger than {self.max_body} bytes")
            )
            return
        if self._head or self.status in _NO_BODY_STATUSES:
            # llhttp cannot know a HEAD answer has no body: finish here, never reuse.
            self.reusable = False
            self._done(keep=False)
            return
        self._until_eof = length is None and "chunked" not in names.get("transfer-encoding", "")

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self.max_body:
            self._fail(
                UpstreamBadResponse(f"the upstream response is larger than {self.max_body} bytes")
            )
            return
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self._headers_done and self._waiter is not None:
            self._done(keep=self.parser.should_keep_alive())

    # -- one exchange -----------------------------------------------------------------------

    async def exchange(
        self, head: bytes, body: bytes | None, timeouts: Timeouts, deadline: float, *, is_head: bool
    ) -> None:
        """Send one request and wait for its whole response, by ``deadline`` (loop time)."""
        assert self.transport is not None
        loop = self._loop
        now = loop.time()
        self._waiter = loop.create_future()
        self._timeouts = timeouts
        self._deadline = deadline
        self._read_s = max(timeouts.read_s, 0.001)
        self._last_read = now
        self._head = is_head
        self._until_eof = False
        self._headers_done = False
        self.status, self.headers, self.body, self._size = 0, [], [], 0
        self.reusable = False
        self._timer = loop.call_at(min(self._deadline, now + self._read_s), self._on_timer)
        if body:
            self.transport.writelines((head, body))
        else:
            self.transport.write(head)
        try:
            await self._waiter
        finally:
            self._waiter = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        if self._waiter is None or self._waiter.done():
            return
        assert self._timeouts is not None
        now = self._loop.time()
        if now >= self._deadline:
            self._fail(UpstreamTimeout("total", self._timeouts.total_s))
        elif now >= self._last_read + self._read_s:
            self._fail(UpstreamTimeout("read", self._timeouts.read_s))
        else:
            self._timer = self._loop.call_at(
                min(self._deadline, self._last_read + self._read_s), self._on_timer
            )

    def _done(self, *, keep: bool = False) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self.reusable = keep and not self.closed
            waiter.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        self.reusable = False
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.abort()

    def abort(self) -> None:
        """Drop the connection at once."""
        self.closed = True
        self.reusable = False
        if self.transport is not None:
            self.transport.abort()


class _Origin:
    """The idle connections to one scheme/host/port, and callers waiting for a slot."""

    __slots__ = ("idle", "open", "waiters")

    def __init__(self) -> None:
        self.idle: list[_Connection] = []
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
        self._targets: dict[str, _Target] = {}
        self._addresses: dict[tuple[str, int], tuple[float, list[str]]] = {}
        self._ssl: ssl.SSLContext | None = None

    def _target(self, url: str) -> _Target:
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
        self, origin: _Origin, target: _Target, timeouts: Timeouts, deadline: float
    ) -> _Connection:
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

    def _release(self, origin: _Origin, conn: _Connection) -> None:
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

    async def _resolve(self, target: _Target) -> list[str]:
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

    async def _connect(self, target: _Target, timeouts: Timeouts, deadline: float) -> _Connection:
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
                            lambda: _Connection(self._max_body),
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
