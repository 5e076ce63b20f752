"""What the upstream clients refuse to write: nothing here opens a socket."""

from __future__ import annotations

import pytest

from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamRefused,
    UpstreamRequest,
    UpstreamUnsendable,
    check_headers,
)
from orchestrator.core.upstream.lean_client import LeanUpstreamClient
from orchestrator.core.upstream.lean_request import encode_head, parse_target
from orchestrator.core.upstream.ssrf import NetworkPolicy

SECRET = "Bearer s3cr3t-value"
TIMEOUTS = Timeouts(connect_s=0.5, read_s=0.5, total_s=0.5)
OPEN = NetworkPolicy(allow_loopback=True, allow_private=True)


@pytest.mark.parametrize("value", ["a\r\nX: 1", "a\nb", "a\x00b", "a\x7fb", "😀", "café"])
def test_a_header_value_http_cannot_carry_is_refused_naming_only_the_header(value: str) -> None:
    headers = {"Authorization": SECRET, "X-Trace": value}

    with pytest.raises(UpstreamUnsendable) as exc:
        check_headers(headers)
    with pytest.raises(UpstreamUnsendable):
        encode_head(
            UpstreamRequest("GET", "http://a.example/", headers), parse_target("http://a.example/")
        )

    assert "X-Trace" in str(exc.value)
    assert SECRET not in str(exc.value)
    assert value not in str(exc.value)


def test_a_header_name_that_is_not_a_token_is_refused() -> None:
    with pytest.raises(UpstreamUnsendable):
        check_headers({"X Bad": "v"})
    check_headers({"X-Good": "visible ascii\tand tab", "Authorization": SECRET})


def test_the_lean_client_connects_to_the_normalised_host_and_writes_ascii() -> None:
    target = parse_target("https://ＡＰＩ.bücher.example:8443/pfad/ü?q=ä")  # noqa: RUF001
    head = encode_head(UpstreamRequest("GET", "x", {}), target)

    assert (target.host, target.port) == ("api.xn--bcher-kva.example", 8443)
    assert head.startswith(
        b"GET /pfad/%C3%BC?q=%C3%A4 HTTP/1.1\r\nHost: api.xn--bcher-kva.example:8443\r\n"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://１６９.２５４.１６９.２５４/",  # noqa: RUF001
        "http://169。254。169。254/",
        "http://169.254.43518/",
        "http://[::ffff:169.254.169.254]/",
        "http://ｍｅｔａｄａｔａ.google.internal/",  # noqa: RUF001
    ],
)
@pytest.mark.parametrize("client_type", [LeanUpstreamClient])
async def test_both_clients_refuse_every_form_of_a_metadata_address_before_connecting(
    url: str, client_type: type[LeanUpstreamClient]
) -> None:
    client = client_type(OPEN)
    try:
        with pytest.raises(UpstreamRefused) as exc:
            await client.request(UpstreamRequest("GET", url, {}), TIMEOUTS)
    finally:
        await client.close()

    assert not isinstance(exc.value, UpstreamUnsendable)
    assert "metadata" in str(exc.value)


@pytest.mark.parametrize(
    "url", ["http://[169.254.169.254]/", "http://exa$mple.com/", "ftp://a.example/"]
)
@pytest.mark.parametrize("client_type", [LeanUpstreamClient])
async def test_both_clients_refuse_an_unusable_url_as_unsendable(
    url: str, client_type: type[LeanUpstreamClient]
) -> None:
    client = client_type(OPEN)
    try:
        with pytest.raises(UpstreamRefused):
            await client.request(UpstreamRequest("GET", url, {}), TIMEOUTS)
    finally:
        await client.close()


@pytest.mark.parametrize("client_type", [LeanUpstreamClient])
async def test_both_clients_refuse_an_unsendable_header_before_connecting(
    client_type: type[LeanUpstreamClient],
) -> None:
    client = client_type(NetworkPolicy())  # loopback refused: a connection would fail otherwise
    try:
        with pytest.raises(UpstreamUnsendable):
            await client.request(
                UpstreamRequest("GET", "http://127.0.0.1:9/", {"X-Trace": "😀"}), TIMEOUTS
            )
    finally:
        await client.close()
