"""Subject revocation (ADR 0045): tokens of a subject issued up to a moment are refused."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import msgspec
import pytest
from joserfc.jwk import ECKey
from sqlalchemy.ext.asyncio import async_sessionmaker

from orchestrator.core.auth.claims import CONTROL_AUDIENCE, EXEC_AUDIENCE, Principal
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.revocation import (
    Denylist,
    RevocationFeed,
    RevocationMessage,
    SubjectRevocation,
)
from orchestrator.core.auth.subjects import (
    operator_subject,
    revocation_horizon_s,
    service_subject,
    subjects_of,
)
from orchestrator.core.auth.verifier import TokenVerifier
from orchestrator.core.errors import Unauthorized
from tests.unit.test_verifier_cache import StaticKeyStore

ISSUER = "https://issuer.test"
ORG, OTHER_ORG, WORKSPACE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def principal(**fields: object) -> Principal:
    base: dict[str, object] = {
        "subject": "op:alice",
        "tenant_id": WORKSPACE,
        "audience": EXEC_AUDIENCE,
        "scopes": frozenset(),
        "jti": "j",
        "expires_at": 2_000,
        "issued_at": 1_000,
    }
    return Principal(**{**base, **fields})  # type: ignore[arg-type]


def test_a_subject_revocation_refuses_tokens_issued_up_to_its_second() -> None:
    denylist = Denylist()
    key = operator_subject(ORG, "op:alice")
    assert not denylist.refuses((key,), 1_000)
    denylist.add_subject(key, before=1_000, until=5_000)
    assert denylist.refuses((key,), 999)
    assert denylist.refuses((key,), 1_000)  # same second: may have been issued before
    assert not denylist.refuses((key,), 1_001)  # issued after: accepted
    assert not denylist.refuses((operator_subject(OTHER_ORG, "op:alice"),), 999)
    assert not denylist.refuses((), 999)


def test_a_later_revocation_moves_the_moment_forward_never_back() -> None:
    denylist = Denylist()
    key = operator_subject(ORG, "op:alice")
    denylist.add_subject(key, before=2_000, until=6_000)
    denylist.add_subject(key, before=1_000, until=5_000)  # an older message, late
    assert denylist.refuses((key,), 1_500)
    denylist.prune(now=5_500)
    assert denylist.refuses((key,), 2_000)


def test_entries_are_pruned_once_no_token_they_refuse_can_live() -> None:
    denylist = Denylist()
    old, new = operator_subject(ORG, "op:old"), operator_subject(ORG, "op:new")
    denylist.add_subject(old, before=1_000, until=1_000 + revocation_horizon_s(900, 30))
    denylist.add_subject(new, before=4_000, until=4_000 + revocation_horizon_s(900, 30))
    assert len(denylist) == 2
    denylist.prune(now=1_000 + 3_600 + 30)  # the impersonation cap and leeway, not the TTL
    assert denylist.refuses((old,), 1_000)
    denylist.prune(now=1_000 + 3_600 + 31)
    assert not denylist.refuses((old,), 1_000)
    assert denylist.refuses((new,), 4_000)
    assert len(denylist) == 1


def test_horizon_is_the_longest_token_lifetime_plus_leeway() -> None:
    assert revocation_horizon_s(900, 30) == 3_630
    assert revocation_horizon_s(7_200, 5) == 7_205


def test_subject_keys_tell_operators_of_different_organizations_and_services_apart() -> None:
    control = principal(audience=CONTROL_AUDIENCE, organization_id=ORG, role="OperatorAdmin")
    assert subjects_of(control) == (f"operator:{ORG}:op:alice",)
    impersonating = principal(impersonator="op:alice", impersonator_organization_id=ORG)
    assert subjects_of(impersonating) == (f"operator:{ORG}:op:alice",)
    # An exec token without ``act`` is a service identity's, even under an operator's name.
    service = principal(subject="op:alice")
    assert subjects_of(service) == (service_subject(WORKSPACE, "op:alice"),)
    assert subjects_of(service)[0] != operator_subject(ORG, "op:alice")
    # ``sub`` and ``act.sub`` both count when they differ.
    both = principal(subject="op:bob", impersonator="op:alice", impersonator_organization_id=ORG)
    assert subjects_of(both) == (operator_subject(ORG, "op:alice"), operator_subject(ORG, "op:bob"))
    # An impersonation issued before ``act.org`` existed names no organization.
    assert subjects_of(principal(impersonator="op:alice")) == ()


async def test_announced_subject_messages_and_old_jti_messages_both_apply() -> None:
    denylist = Denylist()
    feed = RevocationFeed(denylist, async_sessionmaker())
    key = operator_subject(ORG, "op:alice")
    revoked = SubjectRevocation(key, dt.datetime.fromtimestamp(1_000.7, dt.UTC), 5_000)
    assert revoked.before == 1_000
    message = RevocationMessage(exp=revoked.until, subject=key, before=revoked.before)
    await feed.on_message(msgspec.json.encode(message))
    await feed.on_message(b'{"jti": "abc", "exp": 5000}')  # the jti message's shape is unchanged
    assert denylist.refuses((key,), 1_000)
    assert not denylist.refuses((key,), 1_001)
    assert "abc" in denylist


@pytest.fixture
def verifier_parts() -> tuple[Denylist, TokenVerifier, TokenIssuer]:
    store = StaticKeyStore(ECKey.generate_key("P-256", parameters={"kid": "k1"}))
    denylist = Denylist()
    denylist.loaded = True
    verifier = TokenVerifier(
        store,
        denylist,
        issuer=ISSUER,
        audience=EXEC_AUDIENCE,
        leeway_s=5,
        cache_size=10,
        max_lifetime_s=3600,
    )
    return denylist, verifier, TokenIssuer(store, issuer=ISSUER, ttl_s=60)


async def test_a_cached_impersonation_token_is_refused_once_its_operator_is_revoked(
    verifier_parts: tuple[Denylist, TokenVerifier, TokenIssuer],
) -> None:
    denylist, verifier, issuer = verifier_parts
    act = {"act": {"sub": "op:alice", "org": str(ORG)}, "reason": "ticket"}
    token = issuer.issue(
        subject="op:alice", tenant_id=WORKSPACE, audience=EXEC_AUDIENCE, scopes=[], extra=act
    )
    service = issuer.issue(
        subject="op:alice", tenant_id=WORKSPACE, audience=EXEC_AUDIENCE, scopes=["execute"]
    )
    verified = await verifier.verify(token)  # now cached
    assert verified.impersonator_organization_id == ORG
    await verifier.verify(service)
    denylist.add_subject(operator_subject(ORG, "op:alice"), int(time.time()), 10**10)
    with pytest.raises(Unauthorized):
        await verifier.verify(token)
    # A service identity called like the operator is another subject.
    assert (await verifier.verify(service)).subject == "op:alice"
    # Another organization's operator of the same name is untouched.
    theirs = issuer.issue(
        subject="op:alice",
        tenant_id=uuid.uuid4(),
        audience=EXEC_AUDIENCE,
        scopes=[],
        extra={"act": {"sub": "op:alice", "org": str(OTHER_ORG)}},
    )
    await verifier.verify(theirs)


async def test_a_token_issued_after_the_revocation_is_accepted(
    verifier_parts: tuple[Denylist, TokenVerifier, TokenIssuer],
) -> None:
    denylist, verifier, issuer = verifier_parts
    denylist.add_subject(service_subject(WORKSPACE, "svc:b"), int(time.time()) - 1, 10**10)
    fresh = issuer.issue(subject="svc:b", tenant_id=WORKSPACE, audience=EXEC_AUDIENCE, scopes=[])
    assert (await verifier.verify(fresh)).subject == "svc:b"


async def test_a_malformed_act_org_is_refused(
    verifier_parts: tuple[Denylist, TokenVerifier, TokenIssuer],
) -> None:
    _, verifier, issuer = verifier_parts
    token = issuer.issue(
        subject="op:alice",
        tenant_id=WORKSPACE,
        audience=EXEC_AUDIENCE,
        scopes=[],
        extra={"act": {"sub": "op:alice", "org": "not-a-uuid"}},
    )
    with pytest.raises(Unauthorized):
        await verifier.verify(token)
