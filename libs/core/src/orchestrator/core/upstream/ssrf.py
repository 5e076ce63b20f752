"""Which network addresses a tenant-set URL may reach (server-side request forgery guard).

Two checks, both from one host normalisation (``normalise_host``) and one address
classification (``classify``):

- at configuration time, ``url_problem`` looks at the URL alone: scheme, userinfo,
  literal IP addresses in any written form and well-known metadata host names;
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
import re
import socket
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import idna

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
    """``text`` as an IP address in any form a client would accept, or None for a name."""
    try:
        return normalise_host(text).address
    except HostInvalid:
        return None


class HostInvalid(ValueError):
    """A URL host that no normalisation turns into a name or an address."""


@dataclass(frozen=True, slots=True)
class Host:
    """A URL host as a client reaches it: what to resolve or connect to, and how it was written."""

    name: str
    """ASCII and lower case: an A-label name, or the canonical text of ``address``."""
    address: IPAddress | None
    """Set when the host is an IP address, however written."""
    as_written: bool
    """False when the host was written otherwise than ``name`` (Unicode, percent-encoding,
    a numeric IPv4 form other than a dotted quad, an IPv4 address in brackets)."""


# UTS-46 maps these to "." before splitting labels; NFKC maps only U+FF0E.
_FULL_STOPS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_LEGACY_V4 = frozenset("0123456789abcdefx.")
_LABELS = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\Z")


def _v4(text: str) -> ipaddress.IPv4Address | None:
    """``text`` as IPv4 in any form ``inet_aton`` takes (``2130706433``, ``0x7f.1``, ...)."""
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        pass
    if not text or not set(text) <= _LEGACY_V4:
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


@lru_cache(maxsize=4096)
def normalise_host(host: str) -> Host:
    """The host of a URL as every client would read it, or ``HostInvalid``.

    Pure. Brackets and an IPv6 zone are dropped; otherwise percent-escapes are decoded,
    Unicode is NFKC-normalised with the ideographic full stops as dots, one trailing dot
    (the DNS root) is dropped, and what is left is an IPv4 address in any numeric form
    (dotted quad, ``169.254.43518``, decimal, octal or hex integers), or a name, converted
    to its A-label (IDNA, UTS-46) and checked for letters, digits, ``-`` and ``_`` only.
    """
    text = host
    bracketed = text.startswith("[") and text.endswith("]")
    if bracketed:
        text = text[1:-1]
    if ":" in text:
        literal = text.partition("%")[0]  # an IPv6 zone ("%25eth0" in a URL)
        try:
            v6 = ipaddress.IPv6Address(literal)
        except ValueError:
            raise HostInvalid("the host is not a valid IPv6 address") from None
        return Host(str(v6), v6, as_written=True)
    written = text.lower()
    if "%" in text:
        try:
            text = unquote(text, errors="strict")
        except UnicodeDecodeError:
            raise HostInvalid("the host has percent-escapes that are not UTF-8") from None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_FULL_STOPS)
    text = text.lower()
    if text.endswith("."):
        text = text[:-1]
        written = written[:-1] if written.endswith(".") else written
    if not text:
        raise HostInvalid("the URL has no host")
    if text.isascii():
        v4 = _v4(text)
        if v4 is not None:
            return Host(str(v4), v4, as_written=not bracketed and written == str(v4))
        if bracketed:
            raise HostInvalid("only an IP address may be written in brackets")
    else:
        try:
            text = idna.encode(text, uts46=True, std3_rules=False).decode("ascii").lower()
        except idna.IDNAError as exc:
            raise HostInvalid(f"the host is not a valid internationalised name: {exc}") from None
        v4 = _v4(text)
        if v4 is not None:
            return Host(str(v4), v4, as_written=False)
    if len(text) > 253 or not _LABELS.match(text):
        raise HostInvalid("the host name may hold only letters, digits, '-', '_' and dots")
    return Host(text, None, as_written=written == text)


def _netloc_host(url: str) -> str | None:
    """The host part of ``url`` read by hand, for URLs ``urlsplit`` refuses (``[1.2.3.4]``)."""
    rest = url.partition("://")[2]
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if netloc.startswith("["):
        end = netloc.find("]")
        return netloc[: end + 1] if end > 0 else None
    return netloc.partition(":")[0] or None


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

    def host_refusal(self, host: Host) -> str | None:
        """Why the normalised ``host`` is refused before resolving it, or None."""
        if host.address is not None:
            reason = self.address_refusal(host.address)
            return f"the host is {reason}" if reason else None
        if host.name in METADATA_HOSTS:
            return "the host is a cloud metadata service"
        if (host.name == "localhost" or host.name.endswith(".localhost")) and (
            not self.allow_loopback
        ):
            return "the host is a loopback address"
        return None

    def host_problem(self, host: str) -> str | None:
        """Why a URL's host is refused without resolving it, or None when it may be tried.

        A numeric host must be written as its canonical address, so that what an
        operator reads is what is called.
        """
        try:
            normal = normalise_host(host)
        except HostInvalid as exc:
            return str(exc)
        refusal = self.host_refusal(normal)
        if refusal is not None:
            return refusal if normal.as_written else f"{refusal} (written as {host!r})"
        if normal.address is not None and not normal.as_written:
            shown = f"[{normal.name}]" if normal.address.version == 6 else normal.name
            return f"the host is a non-canonical form of {normal.name}; write it as {shown}"
        return None

    def url_problem(self, url: str) -> str | None:
        """Why a tenant-set ``url`` is refused at configuration time, or None when it is acceptable."""
        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
            return "the URL contains whitespace or control characters"
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            # Still say what the host is when it is a refused address ("[169.254.169.254]").
            host = _netloc_host(url)
            refused = self.host_problem(host) if host else None
            return refused or f"the URL is not valid: {exc}"
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
    try:
        normal = normalise_host(host)
    except HostInvalid as exc:
        raise AddressRefused(host, host, str(exc)) from None
    name = normal.name
    if name in METADATA_HOSTS:
        raise AddressRefused(host, host, "a cloud metadata service")
    if normal.address is not None:
        policy.check(host, name)
        return [name]
    infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    allowed = [address for address in found if policy.refusal(address) is None]
    if not allowed:
        first = found[0] if found else ""
        raise AddressRefused(host, first, policy.refusal(first) or "unresolvable")
    return allowed
