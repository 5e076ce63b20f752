"""Asymmetric signing keys: generated and rotated by the CLI, read by every service."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from joserfc.jwk import ECKey, KeySet
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import ALGORITHM
from orchestrator.core.crypto import envelope
from orchestrator.core.db.base import utcnow
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.models import SigningKey
from orchestrator.core.secrets.keyring import KeyRing


def new_kid() -> str:
    """A key id that sorts by creation time."""
    return f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def generate_signing_key(kek: envelope.KeyEncryptionKey) -> SigningKey:
    """A fresh P-256 key with its private half sealed under the KEK."""
    kid = new_kid()
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"})
    private = json.dumps(key.as_dict(private=True)).encode()
    return SigningKey(
        kid=kid,
        alg=ALGORITHM,
        public_jwk=key.as_dict(private=False),
        sealed_private_jwk=envelope.to_json(envelope.seal(kek, private, context=kid)),
    )


def private_key(row: SigningKey, keys: envelope.KeyEncryptionKey | KeyRing) -> ECKey:
    """Unseal a signing key's private half with the KEK it names (from ``keys``)."""
    sealed = envelope.from_json(row.sealed_private_jwk)
    kek = KeyRing.of(keys).get(sealed.kek_id)
    if kek is None:
        raise ConfigurationError(
            f"signing key {row.kid} is sealed with KEK {sealed.kek_id!r}, which this process "
            "lacks: set ORCH_KEK_PREVIOUS during a KEK rotation"
        )
    return ECKey.import_key(json.loads(envelope.open_sealed(kek, sealed, context=row.kid)))


def public_keyset(rows: Sequence[SigningKey]) -> KeySet:
    """The verification keys as a JWK set."""
    return KeySet([ECKey.import_key(row.public_jwk) for row in rows])


async def verification_keys(session: AsyncSession) -> list[SigningKey]:
    """Keys that still verify: the active one and retired ones within their grace."""
    now = utcnow()
    result = await session.scalars(
        select(SigningKey)
        .where((SigningKey.verify_until.is_(None)) | (SigningKey.verify_until > now))
        .order_by(SigningKey.created_at.desc())
    )
    return list(result)


async def active_key(session: AsyncSession) -> SigningKey | None:
    """The newest unretired key: the one that signs."""
    return await session.scalar(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    )


async def rotate(
    session: AsyncSession, kek: envelope.KeyEncryptionKey, *, grace: dt.timedelta
) -> SigningKey:
    """Start signing with a new key; older keys keep verifying for ``grace``.

    ``grace`` must cover the longest token lifetime plus leeway, so no token
    signed before the rotation is refused before it expires.
    """
    now = utcnow()
    await session.execute(
        update(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .values(retired_at=now, verify_until=now + grace)
    )
    key = generate_signing_key(kek)
    session.add(key)
    await session.flush()
    return key


@dataclass(frozen=True)
class KeyRevocation:
    """What ``revoke`` did: ``replacement`` signs now if the revoked key was signing."""

    kid: str
    was_verifying: bool
    replacement: str | None


async def revoke(
    session: AsyncSession, kek: envelope.KeyEncryptionKey, kid: str
) -> KeyRevocation | None:
    """Stop ``kid`` verifying (and signing) now, in the caller's transaction; None if unknown.

    Its row stays, retired, with ``verify_until`` at this moment, so no service loads it
    again and the JWKS drops it; every token it signed is refused once services reload
    their keys. When it was the signing key, a fresh key signs instead. Idempotent.
    """
    now = utcnow()
    row = await session.get(SigningKey, kid, with_for_update=True)
    if row is None:
        return None
    was_verifying = row.verify_until is None or row.verify_until > now
    if row.retired_at is None:
        row.retired_at = now
    if was_verifying:
        row.verify_until = now
    await session.flush()
    replacement = None
    if await active_key(session) is None:
        key = generate_signing_key(kek)
        session.add(key)
        await session.flush()
        replacement = key.kid
    return KeyRevocation(kid=kid, was_verifying=was_verifying, replacement=replacement)


async def ensure_active_key(session: AsyncSession, kek: envelope.KeyEncryptionKey) -> SigningKey:
    """Create the first signing key if there is none."""
    key = await active_key(session)
    if key is not None:
        return key
    key = generate_signing_key(kek)
    session.add(key)
    await session.flush()
    return key
