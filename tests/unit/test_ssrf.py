"""The upstream address policy: which addresses a tenant-set URL may reach.

Classification only: no test here sends a packet anywhere.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from orchestrator.core.connectors.ssrf import AddressRefused, NetworkPolicy
from orchestrator.core.settings import UpstreamSettings
from orchestrator.core.upstream.aiohttp_client import GuardedResolver, guarded_socket_factory

STRICT = NetworkPolicy()
OPEN = NetworkPolicy(allow_loopback=True, allow_private=True)

ALWAYS_REFUSED = [
    "169.254.169.254",  # AWS, GCP, Azure, OCI metadata
    "169.254.170.2",  # ECS task metadata
    "169.254.1.1",  # link-local
    "100.100.100.200",  # Alibaba metadata, inside CGNAT
    "fd00:ec2::254",  # AWS metadata over IPv6, inside fc00::/7
    "fe80::1",
    "fe80::1%eth0",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "192.0.2.10",
    "2001:db8::1",
    "::ffff:169.254.169.254",  # IPv4-mapped
    "::ffff:0.0.0.0",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "::a9fe:a9fe",  # IPv4-compatible
]
PRIVATE = [
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "100.64.0.1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:10.1.2.3",
]
LOOPBACK = ["127.0.0.1", "127.10.20.30", "::1", "::ffff:127.0.0.1"]
PUBLIC = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "100.128.0.1"]


@pytest.mark.parametrize("address", ALWAYS_REFUSED)
def test_always_refused_even_with_both_allow_flags(address: str) -> None:
    assert OPEN.refusal(address) is not None
    assert STRICT.refusal(address) is not None


@pytest.mark.parametrize("address", PRIVATE)
def test_private_refused_by_default_and_allowed_by_its_flag(address: str) -> None:
    assert "private" in (STRICT.refusal(address) or "")
    assert NetworkPolicy(allow_loopback=True).refusal(address) is not None
    assert NetworkPolicy(allow_private=True).refusal(address) is None


@pytest.mark.parametrize("address", LOOPBACK)
def test_loopback_refused_by_default_and_allowed_by_its_flag(address: str) -> None:
    assert "loopback" in (STRICT.refusal(address) or "")
    assert NetworkPolicy(allow_private=True).refusal(address) is not None
    assert NetworkPolicy(allow_loopback=True).refusal(address) is None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert STRICT.refusal(address) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://files.example.com/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://example.com", "scheme"),
        ("https://user:pw@api.example.com", "credentials"),
        ("http://169.254.169.254/latest/meta-data", "metadata"),
        ("http://[fd00:ec2::254]/", "metadata"),
        ("http://metadata.google.internal/computeMetadata/v1", "metadata"),
        ("http://METADATA.GOOGLE.INTERNAL./", "metadata"),
        ("http://2130706433/", "non-canonical"),
        ("http://0x7f.1/", "non-canonical"),
        ("http://017700000001/", "non-canonical"),
        ("http://localhost:8080/", "loopback"),
        ("http://api.localhost/", "loopback"),
        ("http://10.0.0.5/", "private"),
        ("http://[::ffff:a9fe:a9fe]/", "metadata"),
        ("https://api.example.com/a b", "whitespace"),
        ("https:///path-only", "no host"),
    ],
)
def test_config_time_url_check_refuses(url: str, words: str) -> None:
    problem = STRICT.url_problem(url)

    assert problem is not None
    assert words in problem


def test_config_time_url_check_accepts_public_names_and_allowed_ranges() -> None:
    assert STRICT.url_problem("https://api.example.com/v1") is None
    assert STRICT.url_problem("http://93.184.216.34:8080/") is None
    assert OPEN.url_problem("http://127.0.0.1:9000/") is None
    assert OPEN.url_problem("http://localhost:9000/") is None
    assert OPEN.url_problem("http://192.168.0.10/") is None


class FixedResolver(AbstractResolver):
    """Answers every name with the same addresses (a DNS-rebinding attacker's resolver)."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for address in self.addresses
        ]

    async def close(self) -> None:
        return None


async def test_a_name_resolving_to_a_forbidden_address_is_refused_at_call_time() -> None:
    resolver = GuardedResolver(OPEN, FixedResolver("169.254.169.254"))

    with pytest.raises(AddressRefused, match="metadata"):
        await resolver.resolve("innocent.example.com", 80)


async def test_forbidden_addresses_are_dropped_from_a_mixed_answer() -> None:
    resolver = GuardedResolver(STRICT, FixedResolver("10.0.0.1", "93.184.216.34", "127.0.0.1"))

    answer = await resolver.resolve("mixed.example.com", 443)

    assert [r["host"] for r in answer] == ["93.184.216.34"]


async def test_localhost_is_refused_when_loopback_is_not_allowed() -> None:
    with pytest.raises(AddressRefused, match="loopback"):
        await GuardedResolver(STRICT).resolve("localhost", 80)
    allowed = await GuardedResolver(NetworkPolicy(allow_loopback=True)).resolve("localhost", 80)
    assert allowed


async def test_metadata_names_are_refused_without_resolving() -> None:
    resolver = GuardedResolver(OPEN, FixedResolver("93.184.216.34"))

    with pytest.raises(AddressRefused):
        await resolver.resolve("metadata.google.internal", 80)


def test_the_socket_factory_refuses_the_address_actually_connected_to() -> None:
    factory = guarded_socket_factory(STRICT)
    forbidden: Any = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))
    public: Any = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))

    with pytest.raises(AddressRefused):
        factory(forbidden)
    sock = factory(public)  # created, never connected
    sock.close()


def test_the_policy_comes_from_orch_upstream_settings() -> None:
    env = {"ORCH_UPSTREAM_ALLOW_LOOPBACK": "true", "ORCH_UPSTREAM_ALLOW_PRIVATE": "false"}

    policy = NetworkPolicy.from_settings(UpstreamSettings.from_env(env))

    assert policy == NetworkPolicy(allow_loopback=True, allow_private=False)
    assert NetworkPolicy.from_settings(UpstreamSettings.from_env({})) == STRICT
