"""The client-credentials grant: authenticate a client, then sign its token (the token
exchange of ``federation.py`` signs through ``operator_grant`` and ``sign_grant`` too)."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.auth.claims import (
    CONTROL_AUDIENCE,
    CONTROL_SCOPES,
    EXEC_AUDIENCE,
    PLATFORM_ROLE,
    PLATFORM_SCOPES,
    OperatorRole,
)
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.subjects import (
    operator_subject,
    platform_subject,
    service_subject,
)
from orchestrator.core.crypto.secrets import hash_secret, verify_secret
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import BadRequest, InvalidClient, Problem
from orchestrator.core.identity.models import Operator
from orchestrator.core.models import RevokedSubject, WorkspaceStatus
from orchestrator.core.tenancy import repository

READ_ONLY_ROLES = frozenset({OperatorRole.READ_ONLY_AUDITOR, OperatorRole.BILLING_ADMIN})
_DUMMY_HASH = hash_secret("timing-equaliser")


def invalid_client() -> InvalidClient:
    """RFC 6749 ``invalid_client``, saying nothing about which part was wrong."""
    return InvalidClient(
        "Client authentication failed.",
        headers={"WWW-Authenticate": 'Basic realm="orchestrator"'},
        error="invalid_client",
    )


def invalid_scope(allowed: frozenset[str]) -> BadRequest:
    """RFC 6749 ``invalid_scope``."""
    return BadRequest(
        f"Requested scope exceeds what this client may have: {' '.join(sorted(allowed))}.",
        error="invalid_scope",
    )


@dataclass(frozen=True)
class Grant:
    """What a token will say about its client."""

    subject: str
    tenant_id: uuid.UUID | None  # None: a platform operator, above every workspace
    audience: str
    allowed_scopes: frozenset[str]
    extra: dict[str, Any]


class _Client(Protocol):
    """An operator, platform operator or service identity: a secret's hash, an off switch."""

    @property
    def secret_hash(self) -> str:
        """The hash of the client's secret."""
        ...

    @property
    def disabled_at(self) -> dt.datetime | None:
        """When the client was disabled; None while it may get tokens."""
        ...


C = TypeVar("C", bound=_Client)


def _authenticated(client: C | None, client_secret: str) -> C:
    """The client, if it exists, is enabled and ``client_secret`` is its secret; else
    ``invalid_client`` (a missing or disabled client costs one hash check too, so timing
    does not tell which part was wrong)."""
    if client is None or client.disabled_at is not None:
        verify_secret(client_secret, _DUMMY_HASH)
        raise invalid_client()
    if not verify_secret(client_secret, client.secret_hash):
        raise invalid_client()
    return client


async def _grant_for(session: AsyncSession, client_id: str, client_secret: str) -> Grant:
    if client_id.startswith("svc_"):
        # Share-locked until the token is issued: a disable or rotation racing with this
        # request either waits for it (and its revocation then covers the token's ``iat``)
        # or commits first, and this reads the disabled row or the new hash.
        identity = _authenticated(
            await repository.service_identity_by_client_id(session, client_id, share_lock=True),
            client_secret,
        )
        await _outlast_revocation(session, service_subject(identity.workspace_id, identity.name))
        return Grant(
            identity.name, identity.workspace_id, EXEC_AUDIENCE, frozenset(identity.scopes), {}
        )
    if client_id.startswith("plat_"):
        platform = _authenticated(
            await repository.platform_operator_by_client_id(session, client_id), client_secret
        )
        await _outlast_revocation(session, platform_subject(platform.name))
        # No ``org`` and no ``tid``: nothing scoped to an organization or workspace accepts
        # it, and its scopes are not the organization's ``control:*`` (ADR 0051).
        return Grant(
            platform.name,
            None,
            CONTROL_AUDIENCE,
            frozenset(PLATFORM_SCOPES),
            {"role": PLATFORM_ROLE},
        )
    operator = _authenticated(
        await repository.operator_by_client_id(session, client_id), client_secret
    )
    return await operator_grant(session, operator)


async def operator_grant(session: AsyncSession, operator: Operator) -> Grant:
    """What an enabled operator's control token says: its organization, role and scopes."""
    await _outlast_revocation(session, operator_subject(operator.organization_id, operator.name))
    scopes = {"control:read"} if operator.role in READ_ONLY_ROLES else set(CONTROL_SCOPES)
    return Grant(
        operator.name,
        operator.home_workspace_id,
        CONTROL_AUDIENCE,
        frozenset(scopes),
        {"org": str(operator.organization_id), "role": operator.role},
    )


async def _outlast_revocation(session: AsyncSession, subject: str) -> None:
    """Wait out the second of a subject revocation, so the token issued next is not refused.

    ``iat`` has one-second resolution and a revocation refuses ``iat`` up to its second
    (ADR 0045): right after a rotation, a token with the new secret would otherwise be
    refused until the clock ticks over.
    """
    revoked_before = await session.scalar(
        select(RevokedSubject.revoked_before).where(RevokedSubject.subject == subject)
    )
    if revoked_before is None:
        return
    wait = math.floor(revoked_before.timestamp()) + 1 - time.time()
    if wait > 0:
        await asyncio.sleep(wait)


async def issue_token(
    session: AsyncSession,
    issuer: TokenIssuer,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
    environment: str,
) -> tuple[str, frozenset[str]]:
    """A signed token and its scopes, for a client whose workspace is live here."""
    grant = await _grant_for(session, client_id, client_secret)
    return await sign_grant(session, issuer, grant, scope=scope, environment=environment)


async def sign_grant(
    session: AsyncSession,
    issuer: TokenIssuer,
    grant: Grant,
    *,
    scope: str | None,
    environment: str,
    refused: Callable[[], Problem] = invalid_client,
) -> tuple[str, frozenset[str]]:
    """Sign ``grant`` (narrowed to ``scope`` if given) once its workspace is known live here;
    ``refused()`` is raised otherwise. Every grant type ends here."""
    if grant.tenant_id is not None:
        await _require_live_workspace(session, grant.tenant_id, environment, refused)
    scopes = grant.allowed_scopes if not scope else frozenset(scope.split())
    if not scopes <= grant.allowed_scopes:
        raise invalid_scope(grant.allowed_scopes)
    token = issuer.issue(
        subject=grant.subject,
        tenant_id=grant.tenant_id,
        audience=grant.audience,
        scopes=scopes,
        extra=grant.extra,
    )
    return token, scopes


async def _require_live_workspace(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    environment: str,
    refused: Callable[[], Problem],
) -> None:
    """The client's workspace is COMMITTED and served by this deployment, else ``refused()``."""
    await set_tenant(session, tenant_id)
    workspace = await repository.get_workspace(session, tenant_id)
    if (
        workspace is None
        or workspace.status is not WorkspaceStatus.COMMITTED
        or workspace.environment != environment
    ):
        raise refused()
