"""Which network addresses a tenant-set URL may reach (server-side request forgery guard).

Two checks, both from one address classification:

- at configuration time, ``url_problem`` looks at the URL alone: scheme, userinfo,
  literal IP addresses and well-known metadata host names;
- at call time, the upstream client checks every address a host name resolves
  to and every address it actually connects to (``NetworkPolicy.refusal``), so
  a name that later resolves somewhere forbidden (DNS rebinding) is refused too.

Always refused: this-network 0.0.0.0/8, link-local (169.254.0.0/16,
fe80::/10), cloud metadata addresses, multicast, reserved, documentation
and unspecified addresses, and IPv4-mapped or translated IPv6 forms of
those. Refused unless ``allow_private``: RFC 1918, CGNAT 100.64.0.0/10,
198.18.0.0/15 and fc00::/7. Refused unless ``allow_loopback``: 127.0.0.0/8
and ::1.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from urllib.parse import urlsplit

from orchestrator.core.settings import UpstreamSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressClass(Enum):
    """How the policy treats an address."""

    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    FORBIDDEN = "forbidden"


_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Most specific first: the first network that contains an address names its reason.
_FORBIDDEN: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (_V4("169.254.169.254/32"), "a cloud metadata address"),
    (_V4("169.254.170.2/32"), "a cloud metadata address"),
    (_V4("100.100.100.200/32"), "a cloud metadata address"),
    (_V6("fd00:ec2::254/128"), "a cloud metadata address"),
    (_V4("0.0.0.0/8"), "a this-network address"),
    (_V4("169.254.0.0/16"), "a link-local address"),
    (_V4("192.0.0.0/24"), "a reserved address"),
    (_V4("192.0.2.0/24"), "a documentation address"),
    (_V4("198.51.100.0/24"), "a documentation address"),
    (_V4("203.0.113.0/24"), "a documentation address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V4("240.0.0.0/4"), "a reserved address"),
    (_V6("::/128"), "the unspecified address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V6("fec0::/10"), "a site-local address"),
    (_V6("ff00::/8"), "a multicast address"),
    (_V6("100::/64"), "a discard-only address"),
    (_V6("2001:db8::/32"), "a documentation address"),
)
_PRIVATE: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    _V4("10.0.0.0/8"),
    _V4("172.16.0.0/12"),
    _V4("192.168.0.0/16"),
    _V4("100.64.0.0/10"),
    _V4("198.18.0.0/15"),
    _V6("fc00::/7"),
)
_LOOPBACK: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    _V4("127.0.0.0/8"),
    _V6("::1/128"),
)
# IPv6 prefixes that carry an IPv4 address in their last 32 bits: judged by that address.
_EMBEDS_V4 = (_V6("::ffff:0:0/96"), _V6("64:ff9b::/96"), _V6("64:ff9b:1::/48"))
_V4_COMPATIBLE = _V6("::/96")  # deprecated ::a.b.c.d; never routable

METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
        "metadata.platformequinix.com",
    }
)
ALLOWED_SCHEMES = frozenset({"http", "https"})


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    for network in _EMBEDS_V4:
        if address in network:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


@lru_cache(maxsize=4096)
def classify(address: IPAddress) -> tuple[AddressClass, str]:
    """The class of ``address`` and, unless public, a phrase saying why."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            kind, reason = classify(inner)
            return kind, f"{reason} (as IPv6 {address})" if reason else ""
        if address in _V4_COMPATIBLE and int(address) > 1:
            return AddressClass.FORBIDDEN, "a reserved address"
    for network, reason in _FORBIDDEN:
        if address.version == network.version and address in network:
            return AddressClass.FORBIDDEN, reason
    for network in _LOOPBACK:
        if address.version == network.version and address in network:
            return AddressClass.LOOPBACK, "a loopback address"
    for network in _PRIVATE:
        if address.version == network.version and address in network:
            return AddressClass.PRIVATE, "a private address"
    return AddressClass.PUBLIC, ""


def parse_address(text: str) -> IPAddress | None:
    """``text`` as an IP address (brackets and an IPv6 zone allowed), or None for a name."""
    text = text.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _legacy_ipv4(host: str) -> bool:
    """True for numeric IPv4 forms other than dotted quads (``2130706433``, ``0x7f.1``)."""
    if not host or not all(c in "0123456789abcdefx." for c in host):
        return False
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def _canonical_host(host: str) -> str:
    return host.lower().rstrip(".")


class AddressRefused(OSError):
    """A connection to a forbidden address was refused before any packet was sent.

    An ``OSError`` so that the HTTP library reports it as a connection failure
    and the upstream client can recognise it in the cause.
    """

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} is {reason} ({address}); refused by the upstream address policy")
        self.host = host
        self.address = address
        self.reason = reason


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Which address classes this deployment lets tenants reach."""

    allow_loopback: bool = False
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: UpstreamSettings) -> NetworkPolicy:
        """The policy of a deployment's ``ORCH_UPSTREAM_*`` settings."""
        return cls(allow_loopback=settings.allow_loopback, allow_private=settings.allow_private)

    @classmethod
    def from_env(cls) -> NetworkPolicy:
        """The policy from the process environment (for cold paths that hold no settings)."""
        return cls.from_settings(UpstreamSettings.from_env())

    def address_refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be reached, or None when it may."""
        kind, reason = classify(address)
        if kind is AddressClass.PUBLIC:
            return None
        if kind is AddressClass.LOOPBACK and self.allow_loopback:
            return None
        if kind is AddressClass.PRIVATE and self.allow_private:
            return None
        return reason

    def refusal(self, address: str) -> str | None:
        """Why the textual IP ``address`` may not be reached, or None when it may."""
        parsed = parse_address(address)
        if parsed is None:
            return "not an IP address"
        return self.address_refusal(parsed)

    def check(self, host: str, address: str) -> None:
        """Raise ``AddressRefused`` unless ``address`` (resolved from ``host``) may be reached."""
        reason = self.refusal(address)
        if reason is not None:
            raise AddressRefused(host, address, reason)

    def host_problem(self, host: str) -> str | None:
        """Why a URL's host is refused without resolving it, or None when it may be tried."""
        name = _canonical_host(host)
        literal = parse_address(name)
        if literal is not None:
            reason = self.address_refusal(literal)
            return f"the host is {reason}" if reason else None
        if _legacy_ipv4(name):
            return "the host is a non-canonical IPv4 address; write it as a dotted quad"
        if name in METADATA_HOSTS:
            return "the host is a cloud metadata service"
        if (name == "localhost" or name.endswith(".localhost")) and not self.allow_loopback:
            return "the host is a loopback address"
        return None

    def url_problem(self, url: str) -> str | None:
        """Why a tenant-set ``url`` is refused at configuration time, or None when it is acceptable."""
        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
            return "the URL contains whitespace or control characters"
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            return f"the URL is not valid: {exc}"
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            return "the URL scheme must be http or https"
        if "@" in parts.netloc:
            return "the URL must not carry credentials (user:password@); use a secret"
        host = parts.hostname
        if not host:
            return "the URL has no host"
        if port == 0:
            return "the URL port must not be 0"
        return self.host_problem(host)


async def resolve_allowed(policy: NetworkPolicy, host: str, port: int) -> list[str]:
    """The addresses of ``host`` that ``policy`` lets us reach (``AddressRefused`` if none).

    For clients that connect by themselves (not through the upstream HTTP client): connect
    to one of these addresses, never to ``host`` again, so that a second resolution cannot
    lead somewhere else (DNS rebinding).
    """
    name = _canonical_host(host)
    if name in METADATA_HOSTS:
        raise AddressRefused(host, host, "a cloud metadata service")
    literal = parse_address(name)
    if literal is not None:
        policy.check(host, str(literal))
        return [str(literal)]
    infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    allowed = [address for address in found if policy.refusal(address) is None]
    if not allowed:
        first = found[0] if found else ""
        raise AddressRefused(host, first, policy.refusal(first) or "unresolvable")
    return allowed
