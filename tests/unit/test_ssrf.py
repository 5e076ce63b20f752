"""The upstream address policy: which addresses a tenant-set URL may reach.

Classification only: no test here sends a packet anywhere.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import pytest

from orchestrator.core.settings import UpstreamSettings
from orchestrator.core.upstream.lean_client import LeanUpstreamClient
from orchestrator.core.upstream.lean_request import parse_target
from orchestrator.core.upstream.ssrf import (
    AddressRefused,
    HostInvalid,
    NetworkPolicy,
    normalise_host,
    resolve_allowed,
)

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
        ("http://2130706433/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://017700000001/", "loopback"),
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


METADATA_V4 = "169.254.169.254"
# Every way of writing a host that a client would read as 169.254.169.254.
HOSTILE_FORMS = [
    "169.254.169.254",
    "169.254.169.254.",  # the DNS root
    "[169.254.169.254]",  # the bracketed IPv4 oddity
    "１６９.２５４.１６９.２５４",  # full-width digits  # noqa: RUF001
    "１６９．２５４．１６９．２５４",  # full-width digits and full stops  # noqa: RUF001
    "169。254。169。254",  # ideographic full stop U+3002
    "169｡254｡169｡254",  # halfwidth ideographic full stop U+FF61
    "169．254．169．254",  # full-width full stop U+FF0E  # noqa: RUF001
    "%31%36%39.254.169.254",  # percent-encoded
    "%31%36%39%2e%32%35%34%2e%31%36%39%2e%32%35%34",
    "2852039166",  # one decimal integer
    "0xa9fea9fe",  # one hex integer
    "0XA9FEA9FE",
    "025177524776",  # one octal integer
    "0251.0376.0251.0376",  # octal parts
    "0xa9.0xfe.0xa9.0xfe",  # hex parts
    "169.254.43518",  # short dotted forms
    "169.16689662",
    "0xa9.16689662",
]
V6_FORMS = [
    ("[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe"),  # IPv4-mapped
    ("[::ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe"),
    ("[0:0:0:0:0:ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe"),
    ("[::169.254.169.254]", "::a9fe:a9fe"),  # IPv4-compatible
    ("[64:ff9b::169.254.169.254]", "64:ff9b::a9fe:a9fe"),  # NAT64
    ("[64:ff9b:1::a9fe:a9fe]", "64:ff9b:1::a9fe:a9fe"),  # local-use NAT64
    ("[2002:a9fe:a9fe::1]", "2002:a9fe:a9fe::1"),  # 6to4
    ("[fe80::1%25eth0]", "fe80::1"),  # a zone
    ("::ffff:169.254.169.254", "::ffff:a9fe:a9fe"),  # as urlsplit's hostname gives it
]


@pytest.mark.parametrize("written", HOSTILE_FORMS)
def test_every_written_form_of_an_ipv4_address_normalises_to_it(written: str) -> None:
    host = normalise_host(written)

    assert (host.name, str(host.address)) == (METADATA_V4, METADATA_V4)
    assert host.as_written is (written == METADATA_V4 or written == METADATA_V4 + ".")


@pytest.mark.parametrize(("written", "name"), V6_FORMS)
def test_ipv6_literals_normalise_to_their_compressed_form(written: str, name: str) -> None:
    host = normalise_host(written)

    assert host.name == name
    assert host.address is not None
    assert host.address.version == 6


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("API.Example.COM", "api.example.com"),
        ("api.example.com.", "api.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("ＡＰＩ.example.com", "api.example.com"),  # full-width letters  # noqa: RUF001
        ("api。example。com", "api.example.com"),
        ("ｍｅｔａｄａｔａ.google.internal", "metadata.google.internal"),  # noqa: RUF001
        ("%6dETADATA.google.internal", "metadata.google.internal"),
        ("_dmarc.example.com", "_dmarc.example.com"),
        ("1.2.3.4.5", "1.2.3.4.5"),  # not an address: a name that will not resolve
    ],
)
def test_names_normalise_to_lower_case_a_labels(written: str, name: str) -> None:
    host = normalise_host(written)

    assert (host.name, host.address) == (name, None)


@pytest.mark.parametrize(
    "written",
    [
        "",
        ".",
        "[api.example.com]",
        "[1::2::3]",
        "a b.example",
        "exa$mple.com",
        "%ff.example",
        "-lead.example",
        "a..b",
        "x" * 64 + ".example",
        "\u0000.example",
        "xn--.example",
    ],
)
def test_hosts_no_normalisation_makes_usable_are_invalid(written: str) -> None:
    with pytest.raises(HostInvalid):
        normalise_host(written)


@pytest.mark.parametrize("written", HOSTILE_FORMS + [w for w, _ in V6_FORMS])
def test_every_form_of_a_metadata_address_is_refused_at_configuration_time(written: str) -> None:
    url = f"http://{written}:80/latest/meta-data"

    assert OPEN.url_problem(url) is not None
    assert STRICT.url_problem(url) is not None


@pytest.mark.parametrize(
    "written",
    ["ｍｅｔａｄａｔａ.google.internal", "metadata.google.internal.", "%6detadata.goog"],  # noqa: RUF001
)
def test_every_form_of_a_metadata_name_is_refused_at_configuration_time(written: str) -> None:
    assert "metadata" in (OPEN.url_problem(f"https://{written}/") or "")


@pytest.mark.parametrize(
    "written",
    ["１２７.０.０.１", "2130706433", "0x7f.1", "127.1", "[127.0.0.1]"],  # noqa: RUF001
)
def test_an_allowed_address_in_a_non_canonical_form_must_be_written_canonically(
    written: str,
) -> None:
    problem = OPEN.url_problem(f"http://{written}:9000/")

    assert problem is not None
    assert "non-canonical" in problem
    assert "127.0.0.1" in problem
    assert OPEN.url_problem("http://127.0.0.1:9000/") is None


@pytest.mark.parametrize("written", HOSTILE_FORMS + [w for w, _ in V6_FORMS])
async def test_the_call_time_guard_refuses_every_form_without_resolving(written: str) -> None:
    with pytest.raises(AddressRefused):
        await resolve_allowed(OPEN, written, 80)


def test_config_time_url_check_accepts_public_names_and_allowed_ranges() -> None:
    assert STRICT.url_problem("https://api.example.com/v1") is None
    assert STRICT.url_problem("http://93.184.216.34:8080/") is None
    assert OPEN.url_problem("http://127.0.0.1:9000/") is None
    assert OPEN.url_problem("http://localhost:9000/") is None
    assert OPEN.url_problem("http://192.168.0.10/") is None
    assert STRICT.url_problem("https://bücher.example/v1") is None
    assert STRICT.url_problem("http://[2606:4700:4700::1111]:8080/") is None


Answer = list[tuple[Any, Any, Any, Any, tuple[str, int]]]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make every name resolve to the given addresses (a DNS-rebinding attacker's
    resolver); resolving at all fails when none are given."""

    def answer_with(*addresses: str) -> None:
        async def getaddrinfo(_loop: Any, host: str, port: int, **_: Any) -> Answer:
            if not addresses:
                raise AssertionError(f"{host} was resolved")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

        monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)

    return answer_with


async def resolved(policy: NetworkPolicy, url: str) -> list[str]:
    """What the production client would connect to for ``url`` (it connects nowhere here)."""
    client = LeanUpstreamClient(policy)
    try:
        return await client._resolve(parse_target(url))
    finally:
        await client.close()


async def test_a_name_resolving_to_a_forbidden_address_is_refused_at_call_time(
    dns: Callable[..., None],
) -> None:
    dns("169.254.169.254")
    with pytest.raises(AddressRefused, match="metadata"):
        await resolved(OPEN, "http://innocent.example.com/")


async def test_forbidden_addresses_are_dropped_from_a_mixed_answer(
    dns: Callable[..., None],
) -> None:
    dns("10.0.0.1", "93.184.216.34", "127.0.0.1")
    assert await resolved(STRICT, "https://mixed.example.com/") == ["93.184.216.34"]


async def test_localhost_is_refused_when_loopback_is_not_allowed() -> None:
    with pytest.raises(AddressRefused, match="loopback"):
        await resolved(STRICT, "http://localhost:80/")
    assert await resolved(NetworkPolicy(allow_loopback=True), "http://localhost:80/")


async def test_metadata_names_are_refused_without_resolving(dns: Callable[..., None]) -> None:
    dns()
    with pytest.raises(AddressRefused):
        await resolved(OPEN, "http://metadata.google.internal/")


def test_the_policy_comes_from_orch_upstream_settings() -> None:
    env = {"ORCH_UPSTREAM_ALLOW_LOOPBACK": "true", "ORCH_UPSTREAM_ALLOW_PRIVATE": "false"}

    policy = NetworkPolicy.from_settings(UpstreamSettings.from_env(env))

    assert policy == NetworkPolicy(allow_loopback=True, allow_private=False)
    assert NetworkPolicy.from_settings(UpstreamSettings.from_env({})) == STRICT
