"""The verifier caches verified tokens, yet a revocation or a removed key still applies to them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from orchestrator.core.auth.claims import CONTROL_AUDIENCE, PLATFORM_ROLE, PLATFORM_TENANT
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.keystore import KeyStore
from orchestrator.core.auth.revocation import Denylist
from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.errors import ServiceUnavailable, Unauthorized

ISSUER, AUDIENCE = "https://issuer.test", "orchestrator-exec"
MAX_LIFETIME_S = 3600


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
        store,
        denylist,
        issuer=ISSUER,
        audience=AUDIENCE,
        leeway_s=5,
        cache_size=10,
        max_lifetime_s=MAX_LIFETIME_S,
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


Parts = tuple[StaticKeyStore, Denylist, TokenVerifier, TokenIssuer]


def sign(store: StaticKeyStore, claims: dict[str, Any], **header: Any) -> str:
    """A token signed with the store's real key, with any claims and header we like."""
    key = store.signing_key
    assert key is not None
    return jwt.encode(
        {"alg": "ES256", "kid": key.kid, "typ": "JWT", **header}, claims, key, algorithms=["ES256"]
    )


def claims_of(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "svc:t",
        "tid": str(uuid.uuid4()),
        "scope": "execute",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


async def test_a_cached_token_is_refused_once_its_key_leaves_the_key_set(parts: Parts) -> None:
    store, _, verifier, issuer = parts
    token = issue(issuer)
    await verifier.verify(token)
    # The key is revoked: the next reload no longer lists its kid.
    store.kids = frozenset({"k2"})
    with pytest.raises(Unauthorized):
        await verifier.verify(token)
    # Nor does it come back from the cache if the set is reloaded with the key again
    # (the entry was dropped): it is verified afresh.
    store.kids = frozenset({"k1"})
    assert (await verifier.verify(token)).subject == "svc:t"


async def test_a_lifetime_up_to_the_maximum_is_accepted_and_longer_is_refused(
    parts: Parts,
) -> None:
    store, _, verifier, _ = parts
    now = int(time.time())
    await verifier.verify(sign(store, claims_of(iat=now, exp=now + MAX_LIFETIME_S)))
    with pytest.raises(Unauthorized):
        await verifier.verify(sign(store, claims_of(iat=now, exp=now + MAX_LIFETIME_S + 1)))
    # Backdating ``iat`` to fit is no way round: a token issued long ago is stale anyway.
    with pytest.raises(Unauthorized):
        await verifier.verify(sign(store, claims_of(iat=now - 86_400, exp=now + 60)))


async def test_a_token_without_iat_is_refused(parts: Parts) -> None:
    store, _, verifier, _ = parts
    with pytest.raises(Unauthorized):
        await verifier.verify(sign(store, claims_of(iat=None)))


@pytest.mark.parametrize("crit", [["kid"], ["alg", "typ"]])
async def test_a_token_with_a_crit_header_is_refused(parts: Parts, crit: list[str]) -> None:
    # joserfc itself accepts a ``crit`` that lists only registered header names.
    store, _, verifier, _ = parts
    claims = claims_of()
    await verifier.verify(sign(store, claims))  # the same claims without ``crit`` pass
    with pytest.raises(Unauthorized):
        await verifier.verify(sign(store, {**claims, "jti": "other"}, crit=crit))


async def test_an_exec_token_without_tid_is_refused_even_with_the_platform_role(
    parts: Parts,
) -> None:
    store, denylist, verifier, _ = parts
    platform_like = claims_of(tid=None, role=PLATFORM_ROLE)
    with pytest.raises(Unauthorized):
        await verifier.verify(sign(store, platform_like))
    # The same claims for the control audience are a platform operator's token (ADR 0051).
    control = TokenVerifier(
        store,
        denylist,
        issuer=ISSUER,
        audience=CONTROL_AUDIENCE,
        leeway_s=5,
        cache_size=10,
        max_lifetime_s=MAX_LIFETIME_S,
    )
    principal = await control.verify(sign(store, {**platform_like, "aud": CONTROL_AUDIENCE}))
    assert principal.tenant_id == PLATFORM_TENANT
