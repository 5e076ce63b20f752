"""Platform operators: the identities above organizations (ADR 0051)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.models import PlatformOperator
from orchestrator.core.tenancy import repository
from orchestrator.core.tenancy.service import IssuedCredentials


async def ensure_platform_operator(session: AsyncSession, name: str) -> IssuedCredentials:
    """The platform operator ``name`` with a fresh secret (created if missing).

    Idempotent by name like ``bootstrap``: the id stays, the old secret stops working.
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
    await session.flush()
    return IssuedCredentials(operator.client_id, secret)
