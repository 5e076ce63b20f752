"""Verify bearer tokens (RFC 8725): pinned algorithm, checked claims, denylists, cache."""

from __future__ import annotations

import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact
from joserfc.jwt import ClaimsOption

from orchestrator.core.auth.claims import ALGORITHM, PLATFORM_ROLE, PLATFORM_TENANT, Principal
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.auth.subjects import subjects_of
from orchestrator.core.errors import ServiceUnavailable, Unauthorized

MAX_TOKEN_BYTES = 8192


class TokenVerifier:
    """Turns a bearer token into a ``Principal`` for one audience, or raises ``Unauthorized``.

    A verified token is cached until it expires, so the hot path pays a dict
    lookup instead of an ECDSA verification; the denylist (the token's ``jti``, and
    its subject keys against its ``iat``) is still consulted on every call, so a
    revocation applies to cached tokens too.
    """

    def __init__(
        self,
        keystore: KeyStore,
        denylist: Denylist,
        *,
        issuer: str,
        audience: str,
        leeway_s: int,
        cache_size: int,
    ) -> None:
        self._keystore = keystore
        self._denylist = denylist
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._cache_size = cache_size
        # A verified token's principal and its subject keys, worked out once.
        self._cache: dict[str, tuple[Principal, tuple[str, ...]]] = {}

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; ``Unauthorized`` for anything else."""
        if not self._denylist.loaded:
            raise ServiceUnavailable("Token revocations are not loaded yet.")
        now = time.time()
        cached = self._cache.get(token)
        if cached is None:
            principal = await self._verify_uncached(token, now)
            cached = (principal, subjects_of(principal))
            self._remember(token, cached)
        else:
            principal = cached[0]
            if principal.expires_at + self._leeway_s < now:
                self._cache.pop(token, None)
                raise Unauthorized
        if principal.jti in self._denylist or self._denylist.refuses(
            cached[1], principal.issued_at
        ):
            raise Unauthorized
        return principal

    async def signed_claims(self, token: str) -> Principal:
        """The principal of a token signed by one of our keys, whatever its audience or expiry.

        For revocation: an operator may revoke any token of its organization,
        including exec tokens and tokens not yet valid.
        """
        decoded = await self._decode(token)
        try:
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self._issuer},
                jti={"essential": True},
                exp={"essential": True},
                tid={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
            return _principal(decoded.claims)
        except (JoseError, ValueError, TypeError, KeyError):
            raise Unauthorized from None

    async def _verify_uncached(self, token: str, now: float) -> Principal:
        decoded = await self._decode(token)
        try:
            self._registry(now).validate(decoded.claims)
            return _principal(decoded.claims)
        except (JoseError, ValueError, TypeError, KeyError):
            raise Unauthorized from None

    async def _decode(self, token: str) -> jwt.Token:
        if len(token) > MAX_TOKEN_BYTES:
            raise Unauthorized
        try:
            kid = extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError, TypeError):
            raise Unauthorized from None
        if not isinstance(kid, str):
            raise Unauthorized
        if kid not in self._keystore.kids:
            try:
                await self._keystore.refresh_for_unknown_kid()
            except Exception as exc:
                raise ServiceUnavailable("Signing keys cannot be loaded right now.") from exc
            if kid not in self._keystore.kids:
                raise Unauthorized
        try:
            return jwt.decode(token, self._keystore.keyset, algorithms=[ALGORITHM])
        except (JoseError, ValueError, TypeError, KeyError):
            raise Unauthorized from None

    def _registry(self, now: float) -> jwt.JWTClaimsRegistry:
        essential: ClaimsOption = {"essential": True}
        return jwt.JWTClaimsRegistry(
            now=int(now),
            leeway=self._leeway_s,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            exp=essential,
            iat=essential,
            sub=essential,
            jti=essential,
        )

    def _remember(self, token: str, entry: tuple[Principal, tuple[str, ...]]) -> None:
        if len(self._cache) >= self._cache_size:
            # Dropping everything is crude but O(1) amortised and never wrong.
            self._cache.clear()
        self._cache[token] = entry


def _principal(claims: dict[str, Any]) -> Principal:
    scope = claims.get("scope", "")
    org = claims.get("org")
    role = claims.get("role")
    aud = claims["aud"]
    act = claims.get("act")
    impersonator = act.get("sub") if isinstance(act, dict) else None
    if act is not None and not isinstance(impersonator, str):
        raise ValueError("`act` must name its actor in `sub`")
    # ``act.org`` (ADR 0045) is optional only for impersonations issued before it.
    act_org = act.get("org") if isinstance(act, dict) else None
    reason = claims.get("reason")
    if "tid" in claims:
        tenant_id = uuid.UUID(str(claims["tid"]))
    elif role == PLATFORM_ROLE and not org and act is None:
        # Only a platform operator's token has no tenant (ADR 0051); any other token
        # without ``tid`` is refused, as before.
        tenant_id = PLATFORM_TENANT
    else:
        raise KeyError("tid")
    return Principal(
        subject=str(claims["sub"]),
        tenant_id=tenant_id,
        audience=aud if isinstance(aud, str) else str(aud[0]),
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
        not_before=int(claims["nbf"]) if "nbf" in claims else None,
        organization_id=uuid.UUID(str(org)) if org else None,
        role=str(role) if role else None,
        impersonator=impersonator,
        impersonator_organization_id=uuid.UUID(str(act_org)) if act_org is not None else None,
        impersonation_reason=str(reason) if impersonator and reason is not None else None,
        issued_at=int(claims.get("iat", 0)),
    )
