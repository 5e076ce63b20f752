"""What the lean client writes: a request URL parsed into its target, and the request head.

``parse_target`` splits an absolute http(s) URL into where to connect and what to put
on the request line, normalising the host as the configuration-time check did, so the
address policy judges, and the client connects to, the same host. ``encode_head`` writes
the request line and headers in one buffer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

from orchestrator.core.upstream.client import UpstreamRequest, UpstreamUnsendable, check_headers
from orchestrator.core.upstream.ssrf import HostInvalid, IPAddress, normalise_host

USER_AGENT: Final = "orchestrator/0.1"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_TARGET_SAFE: Final = "/?:@!$&'()*+,;=-._~%[]"


@dataclass(frozen=True, slots=True)
class Target:
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


def parse_target(url: str) -> Target:
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
    return Target(scheme, host.name, host.address, port, host_header, target)


def encode_head(req: UpstreamRequest, target: Target) -> bytes:
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
