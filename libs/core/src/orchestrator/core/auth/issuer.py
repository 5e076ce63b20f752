"""Issue short-lived signed access tokens."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any

from joserfc import jwt

from orchestrator.core.auth.claims import ALGORITHM
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.errors import ServiceUnavailable


class TokenIssuer:
    """Signs JWTs with the keystore's active key."""

    def __init__(self, keystore: KeyStore, *, issuer: str, ttl_s: int) -> None:
        self._keystore = keystore
        self.issuer = issuer
        self.ttl_s = ttl_s

    def issue(
        self,
        *,
        subject: str,
        tenant_id: uuid.UUID | None,
        audience: str,
        scopes: Iterable[str],
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A token for ``subject`` in ``tenant_id`` valid for ``ttl_s`` seconds.

        A platform operator's token has no tenant (``None``): it carries no ``tid``.
        """
        key = self._keystore.signing_key
        if key is None:
            raise ServiceUnavailable(
                "No signing key is configured; run `orchestrator keys rotate`."
            )
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "sub": subject,
            "scope": " ".join(sorted(scopes)),
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_s,
            "jti": secrets.token_urlsafe(16),
            **(extra or {}),
        }
        if tenant_id is not None:
            claims["tid"] = str(tenant_id)
        header = {"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, key, algorithms=[ALGORITHM])
