"""An OpenID provider's JSON documents fetched over HTTP: the ``Fetch`` the console and the
control-api both hand to ``OpenIdProvider``, each with its own client and timeouts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from orchestrator.core.auth.oidc import Fetch, ProviderUnavailable

if TYPE_CHECKING:  # the client's module is loaded by whoever makes one (single sign-on)
    import httpx

MAX_DOCUMENT_BYTES = 1 << 20
"""A discovery document or key set larger than this is refused, read no further."""


def json_fetcher(http: httpx.AsyncClient) -> Fetch:
    """GET a URL with ``http`` and parse its JSON; ``ProviderUnavailable`` on any failure
    (a transport error, a status other than 200, a body past the bound, no JSON)."""

    import httpx  # loaded already: ``http`` is one of its clients

    async def fetch(url: str) -> Any:
        body = bytearray()
        try:
            async with http.stream("GET", url, headers={"Accept": "application/json"}) as answer:
                if answer.status_code != 200:
                    raise ProviderUnavailable(f"{url} answered {answer.status_code}")
                async for chunk in answer.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise ProviderUnavailable(
                            f"{url} answered more than {MAX_DOCUMENT_BYTES:,} bytes"
                        )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{url}: {type(exc).__name__}") from None
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError:
            raise ProviderUnavailable(f"{url} answered no JSON") from None

    return fetch
