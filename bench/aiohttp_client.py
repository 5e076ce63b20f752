"""The upstream client on aiohttp, kept as the benchmark's reference: it served
production until the lean client replaced it (ADRs 0020, 0037, 0069).

The address policy is enforced twice below the HTTP layer: the resolver drops
every resolved address the policy forbids (and fails when none is left), and
the socket factory refuses to open a socket to a forbidden address, which also
covers literal IP hosts (aiohttp does not resolve those) and is the address
actually connected to.
"""

from __future__ import annotations

import asyncio
import socket
import time
from urllib.parse import urlsplit

import aiohttp
from aiohappyeyeballs import AddrInfoType, SocketFactoryType
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

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
from orchestrator.core.upstream.ssrf import (
    METADATA_HOSTS,
    AddressRefused,
    HostInvalid,
    NetworkPolicy,
    normalise_host,
)

USER_AGENT = "orchestrator/0.1"
_URL_CACHE_LIMIT = 4096
_READ_CHUNK = 65_536
_MIN_TIMEOUT_S = 0.001


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver and keeps only addresses the policy allows."""

    def __init__(self, policy: NetworkPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host`` that may be reached; ``AddressRefused`` when none may."""
        try:
            name = normalise_host(host).name
        except HostInvalid as exc:
            raise AddressRefused(host, host, str(exc)) from None
        if name in METADATA_HOSTS:
            raise AddressRefused(host, name, "a cloud metadata service")
        if self._inner is None:
            self._inner = ThreadedResolver()
        results = await self._inner.resolve(host, port, family)
        allowed = [r for r in results if self._policy.refusal(r["host"]) is None]
        if not allowed:
            first = results[0]["host"] if results else ""
            raise AddressRefused(host, first, self._policy.refusal(first) or "unresolvable")
        return allowed

    async def close(self) -> None:
        """Release the inner resolver."""
        if self._inner is not None:
            await self._inner.close()


def guarded_socket_factory(policy: NetworkPolicy) -> SocketFactoryType:
    """A socket factory for aiohttp that refuses to connect to a forbidden address."""

    def factory(addr_info: AddrInfoType) -> socket.socket:
        family, kind, proto, _, address = addr_info
        policy.check(str(address[0]), str(address[0]))
        return socket.socket(family=family, type=kind, proto=proto)

    return factory


def _refused_cause(exc: BaseException) -> AddressRefused | None:
    """The ``AddressRefused`` somewhere in the causes of ``exc``, if any."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, AddressRefused):
            return seen
        os_error = getattr(seen, "os_error", None)
        if isinstance(os_error, AddressRefused):
            return os_error
        seen = seen.__cause__ or seen.__context__
    return None


def map_aiohttp_error(exc: BaseException, timeouts: Timeouts) -> UpstreamError:
    """The ``UpstreamError`` that an aiohttp (or asyncio) failure stands for."""
    refused = _refused_cause(exc)
    if refused is not None:
        return UpstreamRefused(
            str(refused), host=refused.host, address=refused.address, reason=refused.reason
        )
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return UpstreamTimeout("connect", timeouts.connect_s)
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return UpstreamTimeout("read", timeouts.read_s)
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout("total", timeouts.total_s)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return UpstreamUnsendable(f"unusable upstream URL: {exc}", reason="invalid URL")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return UpstreamConnectError(f"cannot connect to the upstream: {exc}", request_sent=False)
    return UpstreamConnectError(f"upstream connection failed: {exc!r}", request_sent=True)


class AiohttpUpstreamClient:
    """``UpstreamClient`` on one aiohttp session: keep-alive pool, no redirects, no cookies."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        pool_size: int = 512,
        pool_size_per_host: int = 128,
        keepalive_s: float = 30.0,
        dns_cache_s: int = 10,
        max_response_bytes: int = 10_485_760,
    ) -> None:
        self._policy = policy
        self._pool = (pool_size, pool_size_per_host, keepalive_s, dns_cache_s)
        self._max_body = max_response_bytes
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[Timeouts, aiohttp.ClientTimeout] = {}
        self._checked_urls: set[str] = set()

    def _check_url(self, url: str) -> None:
        """Refuse a URL whose host, normalised as at configuration time, is refused (or
        cannot be read), before aiohttp parses it its own way; cached per URL."""
        if url in self._checked_urls:
            return
        try:
            parts = urlsplit(url)
            host = normalise_host(parts.hostname or "")
        except (ValueError, HostInvalid) as exc:
            raise UpstreamUnsendable(f"unusable upstream URL: {exc}", reason="invalid URL") from exc
        if host.address is not None or host.name in METADATA_HOSTS:
            reason = self._policy.host_refusal(host)
            if reason is not None:
                raise UpstreamRefused(
                    f"{parts.hostname} is refused by the upstream address policy: {reason}",
                    host=host.name,
                    address=host.name,
                    reason=reason,
                )
        if len(self._checked_urls) >= _URL_CACHE_LIMIT:
            self._checked_urls.clear()
        self._checked_urls.add(url)

    def _open(self) -> aiohttp.ClientSession:
        # Opened on first use: aiohttp wants a running event loop.
        pool_size, per_host, keepalive_s, dns_cache_s = self._pool
        connector = aiohttp.TCPConnector(
            limit=pool_size,
            limit_per_host=per_host,
            keepalive_timeout=keepalive_s,
            ttl_dns_cache=dns_cache_s,
            resolver=GuardedResolver(self._policy),
            socket_factory=guarded_socket_factory(self._policy),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # One session serves every tenant: a cookie from one upstream must never
            # travel with another tenant's call.
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )
        # aiohttp silently re-sends an idempotent request once when a reused connection
        # breaks (RFC 9112 §9.3.1). The retry policy owns retries: one attempt must be at
        # most one request the upstream sees, or breaker and attempt counts lie.
        self._session._retry_connection = False
        return self._session

    def _client_timeout(self, timeouts: Timeouts) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(timeouts)
        if timeout is None:
            if len(self._timeouts) > 1024:
                self._timeouts.clear()
            # aiohttp reads 0 as "no timeout"; a spent budget must mean "at once".
            connect_s = max(timeouts.connect_s, _MIN_TIMEOUT_S)
            timeout = self._timeouts[timeouts] = aiohttp.ClientTimeout(
                total=timeouts.total_s,
                connect=connect_s,
                sock_connect=connect_s,
                sock_read=max(timeouts.read_s, _MIN_TIMEOUT_S),
                # aiohttp rounds long timeouts up to whole seconds; a deadline must not slip.
                ceil_threshold=float("inf"),
            )
        return timeout

    async def request(self, req: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
        """Send ``req`` and read the whole response, within ``timeouts``."""
        if timeouts.total_s <= 0:
            raise UpstreamTimeout("total", timeouts.total_s)
        check_headers(req.headers)
        self._check_url(req.url)
        session = self._session or self._open()
        started = time.perf_counter()
        try:
            async with session.request(
                req.method,
                req.url,
                headers=req.headers,
                data=req.body,
                allow_redirects=False,
                timeout=self._client_timeout(timeouts),
            ) as response:
                length = response.content_length
                if length is not None and length <= self._max_body:
                    body = await response.read()
                else:
                    body = await self._read_capped(response)
                return UpstreamResponse(
                    status=response.status,
                    headers=response.headers,
                    body=body,
                    elapsed_s=time.perf_counter() - started,
                )
        except UpstreamError:
            raise
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise map_aiohttp_error(exc, timeouts) from exc

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_READ_CHUNK):
            size += len(chunk)
            if size > self._max_body:
                raise UpstreamBadResponse(
                    f"the upstream response is larger than {self._max_body} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def close(self) -> None:
        """Close pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        await asyncio.sleep(0)  # let transports finish closing (aiohttp's advice)
