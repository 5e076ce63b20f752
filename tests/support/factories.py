"""Small typed factories: tenants through the real bootstrap, tokens through the real endpoint."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
from joserfc import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth import keys
from orchestrator.core.auth.claims import OperatorRole
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.models import Workspace
from orchestrator.core.tenancy.service import (
    BootstrapResult,
    IssuedCredentials,
    bootstrap,
    ensure_operator,
)


async def new_tenant(
    sessions: async_sessionmaker[AsyncSession], kek: KeyEncryptionKey, *, org: str | None = None
) -> BootstrapResult:
    """A fresh organization with one workspace and its exec and control identities."""
    suffix = uuid.uuid4().hex[:8]
    return await bootstrap(
        sessions,
        kek,
        organization=org or f"org-{suffix}",
        workspace=f"ws-{suffix}",
        environment="dev",
    )


async def fetch_token(
    client: httpx.AsyncClient, control_url: str, client_id: str, client_secret: str
) -> str:
    """An access token from ``POST /oauth/token``."""
    response = await client.post(
        f"{control_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def decode_unverified(token: str) -> dict[str, Any]:
    """The claims of a token, without checking anything (for building variants)."""
    import base64

    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload))
    return claims


async def forge(
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    claims: dict[str, Any],
    *,
    kid: str | None = None,
) -> str:
    """A token signed with the deployment's real active key, carrying any claims we like."""
    async with owner_sessions() as session:
        row = await keys.active_key(session)
    assert row is not None
    key = keys.private_key(row, kek)
    header = {"alg": "ES256", "kid": kid or row.kid, "typ": "JWT"}
    return jwt.encode(header, claims, key, algorithms=["ES256"])


def now() -> int:
    """Unix seconds."""
    return int(time.time())


async def new_auditor(
    sessions: async_sessionmaker[AsyncSession], tenant: BootstrapResult
) -> IssuedCredentials:
    """A read-only auditor of the tenant's organization, homed in its workspace."""
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        org_id = await session.scalar(
            select(Workspace.organization_id).where(Workspace.id == tenant.tenant_id)
        )
        assert org_id is not None
        return await ensure_operator(
            session,
            org_id,
            tenant.tenant_id,
            f"op:auditor-{uuid.uuid4().hex[:6]}",
            OperatorRole.READ_ONLY_AUDITOR,
        )
