"""An OpenID provider as a relying party or a token exchange sees it: its discovery document
and its signing keys, fetched on first use and kept, and ID token signatures checked
against them.

The HTTP client is the caller's (``Fetch``): the console and the control-api each bring
their own, with their own timeouts. Only asymmetric algorithms are accepted: an ``HS256``
token would be checked with a secret the verifier does not hold, and ``none`` is no
signature at all (RFC 8725 §2.1).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry, extract_compact

Fetch = Callable[[str], Awaitable[Any]]
"""GET a URL and return its parsed JSON; raises ``ProviderUnavailable`` on any failure."""

ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MAX_ID_TOKEN_BYTES = 16_384
DISCOVERY_PATH = "/.well-known/openid-configuration"


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys could not be read (down, slow, malformed)."""


class InvalidIdToken(Exception):
    """An ID token that does not verify; the message says why (for logs and problem details)."""


class ProviderMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """The parts of an OpenID Provider's discovery document we use (OpenID Discovery §3)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    id_token_signing_alg_values_supported: list[str] = msgspec.field(
        default_factory=lambda: ["RS256"]
    )
    token_endpoint_auth_methods_supported: list[str] = msgspec.field(
        default_factory=lambda: ["client_secret_basic"]
    )
    code_challenge_methods_supported: list[str] = msgspec.field(default_factory=list)


def check_issuer_url(issuer: str, *, allow_http: bool) -> str:
    """The issuer without a trailing slash; ``https`` unless ``allow_http`` (development)."""
    if not issuer.startswith(("https://", "http://")):
        raise ValueError(f"The OpenID issuer must be an https URL, not {issuer!r}.")
    if issuer.startswith("http://") and not allow_http:
        raise ValueError("The OpenID issuer must be https outside development.")
    return issuer.rstrip("/")


class OpenIdProvider:
    """One issuer: discovery and keys cached, refreshed when stale or when a token names a key
    we do not hold (the provider rotated), at most once every ``min_refresh_s``."""

    def __init__(
        self,
        issuer: str,
        fetch: Fetch,
        *,
        ttl_s: float = 3600.0,
        min_refresh_s: float = 10.0,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._fetch = fetch
        self._ttl_s = ttl_s
        self._min_refresh_s = min_refresh_s
        self._metadata: ProviderMetadata | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def metadata(self) -> ProviderMetadata:
        """The discovery document (fetched if missing or older than ``ttl_s``)."""
        metadata, _ = await self._current()
        return metadata

    async def verify(self, token: str) -> jwt.Token:
        """A JWT whose signature one of the provider's keys verifies, with an algorithm it
        announces and we accept; its claims are the caller's to check."""
        if len(token) > MAX_ID_TOKEN_BYTES:
            raise InvalidIdToken("the ID token is too long")
        try:
            header = extract_compact(token.encode()).headers()
        except (JoseError, ValueError, TypeError):
            raise InvalidIdToken("the ID token is not a compact JWS") from None
        if "crit" in header:
            raise InvalidIdToken("the ID token has a critical header we do not understand")
        metadata, keys = await self._current()
        algorithms = ASYMMETRIC.intersection(metadata.id_token_signing_alg_values_supported)
        if header.get("alg") not in algorithms:
            raise InvalidIdToken(f"the ID token's algorithm {header.get('alg')!r} is refused")
        kid = header.get("kid")
        if not _holds(keys, kid):
            keys = await self._refresh_keys()
            if not _holds(keys, kid):
                raise InvalidIdToken("no key of the provider matches the ID token")
        try:
            # Unknown header names are ignored, as RFC 7515 §4 asks (a ``crit`` was refused).
            registry = JWSRegistry(algorithms=sorted(algorithms), strict_check_header=False)
            return jwt.decode(token, keys, registry=registry)
        except (JoseError, ValueError, TypeError, KeyError):
            raise InvalidIdToken("the ID token's signature does not verify") from None

    async def _current(self) -> tuple[ProviderMetadata, KeySet]:
        if (
            self._metadata is not None
            and self._keys is not None
            and time.monotonic() - self._fetched_at < self._ttl_s
        ):
            return self._metadata, self._keys
        async with self._lock:
            if (
                self._metadata is None
                or self._keys is None
                or time.monotonic() - self._fetched_at >= self._ttl_s
            ):
                await self._load()
            assert self._metadata is not None
            assert self._keys is not None
            return self._metadata, self._keys

    async def _refresh_keys(self) -> KeySet:
        async with self._lock:
            if time.monotonic() - self._fetched_at >= self._min_refresh_s:
                await self._load()
            assert self._keys is not None
            return self._keys

    async def _load(self) -> None:
        raw = await self._fetch(self.issuer + DISCOVERY_PATH)
        try:
            metadata = msgspec.convert(raw, ProviderMetadata)
        except msgspec.ValidationError as exc:
            raise ProviderUnavailable(f"the discovery document is not usable: {exc}") from None
        # OpenID Discovery §4.3: the document must name the issuer it was fetched for,
        # or a provider could speak for another.
        if metadata.issuer.rstrip("/") != self.issuer:
            raise ProviderUnavailable(
                f"the discovery document names issuer {metadata.issuer!r}, not {self.issuer!r}"
            )
        jwks = await self._fetch(metadata.jwks_uri)
        try:
            keys = KeySet.import_key_set(
                {"keys": [key for key in jwks["keys"] if key.get("use", "sig") == "sig"]}
            )
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            raise ProviderUnavailable("the provider's key set is not usable") from None
        self._metadata, self._keys, self._fetched_at = metadata, keys, time.monotonic()


def _holds(keys: KeySet, kid: Any) -> bool:
    """Whether ``keys`` has the key a token names (a token without ``kid`` needs exactly one)."""
    if kid is None:
        return len(keys.keys) == 1
    return any(key.kid == kid for key in keys.keys)
