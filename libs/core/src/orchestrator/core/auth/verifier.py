"""Verify bearer tokens (RFC 8725): pinned algorithm, checked claims, denylists, cache."""

from __future__ import annotations

import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact
from joserfc.jwt import ClaimsOption

from orchestrator.core.auth.claims import (
    ALGORITHM,
    CONTROL_AUDIENCE,
    PLATFORM_ROLE,
    PLATFORM_TENANT,
    Principal,
)
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.auth.subjects import subjects_of
from orchestrator.core.errors import ServiceUnavailable, Unauthorized

MAX_TOKEN_BYTES = 8192


class TokenVerifier:
    """Turns a bearer token into a ``Principal`` for one audience, or raises ``Unauthorized``.

    A verified token is cached until it expires, so the hot path pays a dict
    lookup instead of an ECDSA verification; the denylist (the token's ``jti``, and
    its subject keys against its ``iat``) and the key set (the token's ``kid``) are
    still consulted on every call, so a revocation or a removed key applies to cached
    tokens too.
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
        max_lifetime_s: int,
    ) -> None:
        self._keystore = keystore
        self._denylist = denylist
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._cache_size = cache_size
        self._max_lifetime_s = max_lifetime_s
        # Only a control token may lack ``tid`` (a platform operator's, ADR 0051).
        self._tenantless_allowed = audience == CONTROL_AUDIENCE
        # A verified token's principal, its subject keys and its ``kid``, worked out once.
        self._cache: dict[str, tuple[Principal, tuple[str, ...], str]] = {}

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; ``Unauthorized`` for anything else."""
        if not self._denylist.loaded:
            raise ServiceUnavailable("Token revocations are not loaded yet.")
        now = time.time()
        cached = self._cache.get(token)
        if cached is None:
            principal, kid = await self._verify_uncached(token, now)
            cached = (principal, subjects_of(principal), kid)
            self._remember(token, cached)
        else:
            principal = cached[0]
            # A key removed from the set (revoked, or past its grace) takes its tokens along.
            if principal.expires_at + self._leeway_s < now or cached[2] not in self._keystore.kids:
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
        decoded, _ = await self._decode(token)
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

    async def _verify_uncached(self, token: str, now: float) -> tuple[Principal, str]:
        decoded, kid = await self._decode(token)
        claims = decoded.claims
        try:
            self._registry(now).validate(claims)
            # ``iat`` is essential and numeric by now: a lifetime longer than we ever mint
            # is a token forged with a key, not one we issued.
            if claims["exp"] - claims["iat"] > self._max_lifetime_s:
                raise ValueError("lifetime")
            return _principal(claims, tenantless_allowed=self._tenantless_allowed), kid
        except (JoseError, ValueError, TypeError, KeyError):
            raise Unauthorized from None

    async def _decode(self, token: str) -> tuple[jwt.Token, str]:
        if len(token) > MAX_TOKEN_BYTES:
            raise Unauthorized
        try:
            headers = extract_compact(token.encode()).headers()
        except (JoseError, ValueError, TypeError):
            raise Unauthorized from None
        kid = headers.get("kid")
        # We mint no critical extension, so a ``crit`` names one we cannot honour (RFC 7515
        # §4.1.11); joserfc would accept it when it lists only registered names.
        if not isinstance(kid, str) or "crit" in headers:
            raise Unauthorized
        if kid not in self._keystore.kids:
            try:
                await self._keystore.refresh_for_unknown_kid()
            except Exception as exc:
                raise ServiceUnavailable("Signing keys cannot be loaded right now.") from exc
            if kid not in self._keystore.kids:
                raise Unauthorized
        try:
            return jwt.decode(token, self._keystore.keyset, algorithms=[ALGORITHM]), kid
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

    def _remember(self, token: str, entry: tuple[Principal, tuple[str, ...], str]) -> None:
        if len(self._cache) >= self._cache_size:
            # Dropping everything is crude but O(1) amortised and never wrong.
            self._cache.clear()
        self._cache[token] = entry


def _principal(claims: dict[str, Any], *, tenantless_allowed: bool = True) -> Principal:
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
    elif tenantless_allowed and role == PLATFORM_ROLE and not org and act is None:
        # Only a platform operator's control token has no tenant (ADR 0051); any other
        # token without ``tid`` (an exec token above all) is refused, as before.
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
