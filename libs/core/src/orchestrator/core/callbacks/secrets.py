"""A workspace's signing secrets for what it sends out: callbacks and webhook forwards.

One secret signs at a time; a rotation makes a new one and leaves the ones before it
valid for a grace period, during which every message carries a signature by each
(Standard Webhooks: several ``v1,…`` separated by spaces), so a receiver can switch
keys at its own pace. Rows are envelope-encrypted, bound to their own id.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.callbacks.models import WorkspaceSecret
from orchestrator.core.crypto import envelope
from orchestrator.core.observability.redaction import remember_secrets
from orchestrator.core.secrets.keyring import KeyRing

CALLBACK_SIGNING = "callback-signing"
DEFAULT_GRACE = dt.timedelta(hours=24)
MAX_GRACE = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class SigningSecret:
    """One opened signing secret; ``expires_at`` is set once a newer one replaced it."""

    id: uuid.UUID
    key: str
    created_at: dt.datetime
    expires_at: dt.datetime | None


def new_secret_row(kek: envelope.KeyEncryptionKey, tenant_id: uuid.UUID) -> WorkspaceSecret:
    """A fresh ``whsec_`` secret (32 random bytes, as Standard Webhooks asks), sealed."""
    secret_id = uuid.uuid4()
    key = b"whsec_" + base64.b64encode(secrets.token_bytes(32))
    sealed = envelope.seal(kek, key, context=str(secret_id))
    return WorkspaceSecret(
        id=secret_id,
        tenant_id=tenant_id,
        purpose=CALLBACK_SIGNING,
        sealed=envelope.to_json(sealed),
    )


def expiry_after_rotation(
    expires_at: dt.datetime | None, now: dt.datetime, grace: dt.timedelta
) -> dt.datetime:
    """When a secret replaced at ``now`` stops signing: after ``grace``, never later than
    it would have anyway (a second rotation does not extend an older secret's life)."""
    end = now + grace
    return end if expires_at is None else min(expires_at, end)


async def _valid_rows(session: AsyncSession) -> Sequence[WorkspaceSecret]:
    """The workspace's (the session's tenant's) secrets that still sign, newest first."""
    rows = await session.scalars(
        select(WorkspaceSecret)
        .where(
            WorkspaceSecret.purpose == CALLBACK_SIGNING,
            or_(WorkspaceSecret.expires_at.is_(None), WorkspaceSecret.expires_at > func.now()),
        )
        .order_by(WorkspaceSecret.created_at.desc(), WorkspaceSecret.id)
    )
    return rows.all()


def _opened(keys: KeyRing, row: WorkspaceSecret) -> SigningSecret:
    sealed = envelope.from_json(row.sealed)
    kek = keys.get(sealed.kek_id)
    if kek is None:
        raise LookupError(f"a signing secret is sealed under unknown KEK {sealed.kek_id!r}")
    key = envelope.open_sealed(kek, sealed, context=str(row.id)).decode()
    remember_secrets((key,))
    return SigningSecret(row.id, key, row.created_at, row.expires_at)


async def signing_secrets(session: AsyncSession, keys: KeyRing) -> list[SigningSecret]:
    """Every secret of the session's workspace that signs now, the newest first."""
    found = [_opened(keys, row) for row in await _valid_rows(session)]
    if not found:
        raise LookupError("the workspace has no callback-signing secret")
    return found


async def rotate(
    session: AsyncSession,
    keys: KeyRing,
    tenant_id: uuid.UUID,
    grace: dt.timedelta,
) -> list[SigningSecret]:
    """Make a new secret for ``tenant_id`` (sealed with the ring's current KEK); those
    before it sign for ``grace`` more.

    Serialised per workspace (a transaction-scoped advisory lock), so two concurrent
    rotations leave one newest secret. Secrets already past their end are deleted.
    """
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"signing:{tenant_id}", 0)))
    )
    now: dt.datetime = (await session.execute(select(func.now()))).scalar_one()
    for row in await _valid_rows(session):
        row.expires_at = expiry_after_rotation(row.expires_at, now, grace)
    await session.flush()
    await session.execute(
        delete(WorkspaceSecret).where(
            WorkspaceSecret.purpose == CALLBACK_SIGNING, WorkspaceSecret.expires_at <= now
        )
    )
    session.add(new_secret_row(keys.current, tenant_id))
    await session.flush()
    return await signing_secrets(session, keys)
