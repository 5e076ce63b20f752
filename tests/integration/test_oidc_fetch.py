"""Fetching an OpenID provider's documents (``json_fetcher``) from a real loopback server:
the JSON when all is well, ``ProviderUnavailable`` for every way it is not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from orchestrator.core.auth.oidc import ProviderUnavailable
from orchestrator.core.auth.oidc_fetch import MAX_DOCUMENT_BYTES, json_fetcher
from tests.support.upstream import UpstreamServer


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5), trust_env=False) as client:
        yield client


async def test_a_document_is_read_as_json(
    http: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    upstream.respond("/.well-known/openid-configuration", body={"issuer": upstream.url})
    fetch = json_fetcher(http)
    assert await fetch(f"{upstream.url}/.well-known/openid-configuration") == {
        "issuer": upstream.url
    }


@pytest.mark.parametrize(
    ("program", "says"),
    [
        (lambda u: u.fail("/doc", status=500), "answered 500"),
        (lambda u: u.respond("/doc", body=b"<html>not json</html>"), "answered no JSON"),
        (lambda u: u.respond("/doc", body=b"[" + b"1," * MAX_DOCUMENT_BYTES + b"1]"), "more than"),
        (lambda u: u.hang("/doc"), "ReadTimeout"),
    ],
    ids=["status", "not-json", "too-large", "hangs"],
)
async def test_a_failing_provider_is_unavailable(
    http: httpx.AsyncClient,
    upstream: UpstreamServer,
    program: Callable[[UpstreamServer], None],
    says: str,
) -> None:
    program(upstream)
    with pytest.raises(ProviderUnavailable, match=says):
        await json_fetcher(http)(f"{upstream.url}/doc")


async def test_a_closed_port_is_unavailable(http: httpx.AsyncClient) -> None:
    with pytest.raises(ProviderUnavailable, match="ConnectError"):
        await json_fetcher(http)("http://127.0.0.1:9/doc")
