"""The idempotency-key store: claim a key with one INSERT … ON CONFLICT, then complete it.

Concurrency rests on the primary key (tenant_id, key): of two requests racing
with one key, the second's INSERT waits for the first's to commit and then
finds the row, so it can never run too. The claim commits at once (its own
short transaction) so every other request sees the key in flight.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.errors import IdempotencyKeyInFlight, IdempotencyKeyReused

TTL = dt.timedelta(hours=24)

# Takes the key when it is new, when the stored one has expired (24 h: a new request),
# or when an in-flight holder died (its lock passed) and this is the same request.
_CLAIM = text(
    """
    INSERT INTO idempotency_keys
        (tenant_id, key, fingerprint, state, owner, locked_until, expires_at)
    VALUES (:tenant_id, :key, :fingerprint, 'in_flight', :owner,
            now() + make_interval(secs => :lock_s), now() + make_interval(secs => :ttl_s))
    ON CONFLICT (tenant_id, key) DO UPDATE SET
        fingerprint = EXCLUDED.fingerprint, state = 'in_flight', owner = EXCLUDED.owner,
        locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at,
        status_code = NULL, response_headers = NULL, response_body = NULL, created_at = now()
    WHERE idempotency_keys.expires_at <= now()
       OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.locked_until <= now()
           AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
    RETURNING owner
    """
)
_EXISTING = text(
    """
    SELECT fingerprint, state, status_code, response_headers, response_body
    FROM idempotency_keys WHERE tenant_id = :tenant_id AND key = :key
    """
)
_COMPLETE = text(
    """
    UPDATE idempotency_keys SET state = 'completed', status_code = :status_code,
        response_headers = CAST(:headers AS jsonb), response_body = :body
    WHERE tenant_id = :tenant_id AND key = :key AND owner = :owner AND state = 'in_flight'
    """
)
_RELEASE = text(
    "DELETE FROM idempotency_keys "
    "WHERE tenant_id = :tenant_id AND key = :key AND owner = :owner AND state = 'in_flight'"
)
_PURGE = text(
    """
    DELETE FROM idempotency_keys WHERE (tenant_id, key) IN (
        SELECT tenant_id, key FROM idempotency_keys WHERE expires_at < now() LIMIT :limit
    )
    """
)


@dataclass(frozen=True, slots=True)
class Claim:
    """This request holds the key: run it, then ``complete`` or ``release``."""

    tenant_id: uuid.UUID
    key: str
    owner: uuid.UUID


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first request's response, to replay."""

    status_code: int
    headers: dict[str, str]
    body: bytes


async def begin(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    key: str,
    fingerprint: str,
    *,
    lock_s: float,
    ttl: dt.timedelta = TTL,
) -> Claim | StoredResponse:
    """Claim ``key`` for this request, or return the stored response to replay.

    Raises ``IdempotencyKeyReused`` (422) when the key was used for another request
    and ``IdempotencyKeyInFlight`` (409) while its first request is still running.
    """
    owner = uuid.uuid4()
    params = {"tenant_id": tenant_id, "key": key}
    async with tenant_transaction(sessions, tenant_id) as session:
        won = await session.scalar(
            _CLAIM,
            {
                **params,
                "fingerprint": fingerprint,
                "owner": owner,
                "lock_s": lock_s,
                "ttl_s": ttl.total_seconds(),
            },
        )
        if won == owner:
            return Claim(tenant_id, key, owner)
        row = (await session.execute(_EXISTING, params)).one()
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different method, path or body; "
            "use a new key for a new request."
        )
    if row.state == "in_flight":
        raise IdempotencyKeyInFlight(
            "The first request with this Idempotency-Key is still running; retry later.",
            headers={"Retry-After": "1"},
        )
    return StoredResponse(row.status_code, dict(row.response_headers or {}), row.response_body)


async def complete(
    session: AsyncSession,
    claim: Claim,
    *,
    status_code: int,
    headers: dict[str, str],
    body: bytes,
) -> bool:
    """Store the response in ``session``'s transaction (tenant-scoped); False if the claim
    was lost (its lock passed and a retry took it over)."""
    result = await session.execute(
        _COMPLETE,
        {
            "tenant_id": claim.tenant_id,
            "key": claim.key,
            "owner": claim.owner,
            "status_code": status_code,
            "headers": msgspec.json.encode(headers).decode(),
            "body": body,
        },
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def complete_alone(
    sessions: async_sessionmaker[AsyncSession],
    claim: Claim,
    *,
    status_code: int,
    headers: dict[str, str],
    body: bytes,
) -> bool:
    """``complete`` in a transaction of its own."""
    async with tenant_transaction(sessions, claim.tenant_id) as session:
        return await complete(session, claim, status_code=status_code, headers=headers, body=body)


async def release(sessions: async_sessionmaker[AsyncSession], claim: Claim) -> None:
    """Forget an in-flight claim (nothing ran, or the request failed validation)."""
    async with tenant_transaction(sessions, claim.tenant_id) as session:
        await session.execute(
            _RELEASE, {"tenant_id": claim.tenant_id, "key": claim.key, "owner": claim.owner}
        )


async def purge_expired(session: AsyncSession, *, limit: int) -> int:
    """Delete up to ``limit`` expired keys of the session's tenant; how many went."""
    result = await session.execute(_PURGE, {"limit": limit})
    return int(result.rowcount)  # type: ignore[attr-defined]
