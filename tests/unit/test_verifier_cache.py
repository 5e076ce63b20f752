"""The verifier caches verified tokens, yet a revocation still applies to them."""

from __future__ import annotations

import time
import uuid

import pytest
from joserfc.jwk import ECKey, KeySet

from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.errors import ServiceUnavailable, Unauthorized

ISSUER, AUDIENCE = "https://issuer.test", "orchestrator-exec"


class StaticKeyStore(KeyStore):
    """A keystore whose keys are set by the test, with no database behind it."""

    def __init__(self, key: ECKey) -> None:
        self.signing_key = key
        self.keyset = KeySet([ECKey.import_key(key.as_dict(private=False))])
        self.kids = frozenset({str(key.kid)})
        self.public_jwks = [key.as_dict(private=False)]

    async def refresh(self) -> None:
        """Nothing to reload."""

    async def refresh_for_unknown_kid(self) -> None:
        """Nothing to reload."""


@pytest.fixture
def parts() -> tuple[StaticKeyStore, Denylist, TokenVerifier, TokenIssuer]:
    key = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    store = StaticKeyStore(key)
    denylist = Denylist()
    denylist.loaded = True
    verifier = TokenVerifier(
        store, denylist, issuer=ISSUER, audience=AUDIENCE, leeway_s=5, cache_size=10
    )
    return store, denylist, verifier, TokenIssuer(store, issuer=ISSUER, ttl_s=60)


def issue(issuer: TokenIssuer) -> str:
    return issuer.issue(
        subject="svc:t", tenant_id=uuid.uuid4(), audience=AUDIENCE, scopes=["execute"]
    )


async def test_a_verified_token_is_served_from_cache(
    parts: tuple[StaticKeyStore, Denylist, TokenVerifier, TokenIssuer],
) -> None:
    store, _, verifier, issuer = parts
    cached, uncached = issue(issuer), issue(issuer)
    first = await verifier.verify(cached)
    # Take the keys away: only a cached token can still pass.
    store.keyset = KeySet([ECKey.generate_key("P-256", parameters={"kid": "k1"})])
    assert await verifier.verify(cached) == first
    with pytest.raises(Unauthorized):
        await verifier.verify(uncached)


async def test_a_revocation_applies_to_a_cached_token(
    parts: tuple[StaticKeyStore, Denylist, TokenVerifier, TokenIssuer],
) -> None:
    _, denylist, verifier, issuer = parts
    token = issue(issuer)
    principal = await verifier.verify(token)
    denylist.add(principal.jti, int(time.time()) + 60)
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_nothing_verifies_before_the_denylist_is_loaded(
    parts: tuple[StaticKeyStore, Denylist, TokenVerifier, TokenIssuer],
) -> None:
    _, denylist, verifier, issuer = parts
    denylist.loaded = False
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(issue(issuer))


def test_denylist_forgets_entries_of_expired_tokens() -> None:
    denylist = Denylist()
    denylist.add("old", 100)
    denylist.add("new", 10_000)
    denylist.prune(now=5_000)
    assert "old" not in denylist
    assert "new" in denylist
