"""Platform operators: the identities above organizations (ADR 0051)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.subjects import platform_subject
from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.identity.public import PlatformOperator
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.service import (
    DEFAULT_REISSUE_HORIZON_S,
    IssuedCredentials,
    end_old_tokens,
)


async def ensure_platform_operator(
    session: AsyncSession, name: str, *, horizon_s: int = DEFAULT_REISSUE_HORIZON_S
) -> IssuedCredentials:
    """The platform operator ``name`` with a fresh secret (created if missing).

    Idempotent by name like ``bootstrap``: the id stays, the old secret stops working and
    so do the tokens it got.
    """
    secret = new_client_secret()
    operator = await repository.platform_operator_by_name(session, name)
    if operator is None:
        operator = PlatformOperator(
            name=name, client_id=new_client_id("plat"), secret_hash=hash_secret(secret)
        )
        session.add(operator)
    else:
        operator.secret_hash = hash_secret(secret)
        await end_old_tokens(session, platform_subject(name), horizon_s=horizon_s)
    await session.flush()
    return IssuedCredentials(operator.client_id, secret)
