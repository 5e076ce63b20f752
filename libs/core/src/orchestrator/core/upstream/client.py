"""The one small interface between the execution plane and upstream HTTP.

One pooled client per process (``create_upstream_client``); callers hand it a
fully rendered ``UpstreamRequest`` and the timeouts of this attempt, and get
the whole response back or one of the ``UpstreamError`` kinds below. The
client never follows redirects and never reaches an address the deployment's
``NetworkPolicy`` forbids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal, Protocol

import msgspec

TimeoutPhase = Literal["connect", "read", "total"]


class Timeouts(msgspec.Struct, frozen=True):
    """Limits of one attempt: to connect, between bytes read, and for the whole exchange."""

    connect_s: float
    read_s: float
    total_s: float


class UpstreamRequest(msgspec.Struct, frozen=True):
    """An HTTP request ready to send: absolute URL, final headers, encoded body."""

    method: str
    url: str
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    body: bytes | None = None


class UpstreamResponse(msgspec.Struct, frozen=True):
    """What the upstream answered; ``headers`` look up case-insensitively."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed_s: float


class UpstreamError(Exception):
    """No usable response came back from the upstream."""


class UpstreamConnectError(UpstreamError):
    """The connection failed, or broke before a whole response arrived.

    ``request_sent`` is False when nothing can have reached the upstream (it
    refused the connection, the name did not resolve), so even a
    non-idempotent call may be retried safely.
    """

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class UpstreamTimeout(UpstreamError):
    """A timeout expired; ``phase`` says which one."""

    def __init__(self, phase: TimeoutPhase, seconds: float) -> None:
        super().__init__(f"upstream {phase} timeout after {seconds:g} s")
        self.phase: TimeoutPhase = phase
        self.seconds = seconds


class UpstreamRefused(UpstreamError):
    """The call was refused before sending: a forbidden address or an unusable URL."""

    def __init__(
        self, message: str, *, host: str = "", address: str = "", reason: str = ""
    ) -> None:
        super().__init__(message)
        self.host = host
        self.address = address
        self.reason = reason


class UpstreamUnsendable(UpstreamRefused):
    """The request cannot be written: a header or the URL holds what HTTP cannot carry.

    The message names the header, never its value (which may be a secret).
    """


# RFC 9110 §5.5/§5.6.2: a field value is visible ASCII, space and tab (obs-text is
# obsolete, and the clients would encode it differently); a name is a token.
HEADER_VALUE_UNSENDABLE = re.compile(r"[^\t\x20-\x7e]")
HEADER_NAME_UNSENDABLE = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise ``UpstreamUnsendable`` unless every header can go on the wire as it is.

    Two regular-expression scans per request; the offending header is looked for only
    once one is known to be there.
    """
    if not HEADER_VALUE_UNSENDABLE.search("".join(headers.values())) and (
        not HEADER_NAME_UNSENDABLE.search("".join(headers))
    ):
        return
    for name, value in headers.items():
        if not name or HEADER_NAME_UNSENDABLE.search(name):
            raise UpstreamUnsendable("a header name is not a token", reason="bad header")
        if HEADER_VALUE_UNSENDABLE.search(value):
            raise UpstreamUnsendable(
                f"header {name!r} holds a character HTTP cannot carry "
                "(a control character such as CR, LF or NUL, or a non-ASCII one)",
                reason="bad header",
            )


class UpstreamBadResponse(UpstreamError):
    """A response arrived but cannot be used (larger than the deployment allows)."""


class UpstreamClient(Protocol):
    """A pooled HTTP client for upstream calls; one per process."""

    async def request(self, req: UpstreamRequest, timeouts: Timeouts) -> UpstreamResponse:
        """Send ``req`` and read the whole response, within ``timeouts``."""
        ...

    async def close(self) -> None:
        """Close pooled connections (a later request opens new ones)."""
        ...
