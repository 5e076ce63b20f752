"""The rules operators and service identities share: an audited change of a client that
may cut off every token it holds (ADR 0045), written in the caller's transaction; the
caller announces the revocation once that commits (``credentials.Announcing``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import Changed, Client, Issued, revoked_view
from orchestrator.core.audit.change import record_change
from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import Principal
from orchestrator.core.auth.revocation import SubjectRevocation
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.crypto.secrets import hash_secret, new_client_secret
from orchestrator.core.db.base import utcnow
from orchestrator.core.db.tenant import set_tenant


class Row(Client, Protocol):
    """A client row: an id, a secret's hash and an off switch."""

    id: uuid.UUID
    secret_hash: str


R = TypeVar("R", bound=Row)


@dataclass(frozen=True)
class ClientKind(Generic[R]):
    """How one kind of client is named, viewed, revoked and audited."""

    name: str
    """The audit action's and target's prefix: ``operator``, ``service-identity``."""
    view: Callable[[R], dict[str, Any]]
    """The audited shape of a row (never its secret or hash)."""
    subject: Callable[[R], str]
    """The subject its tokens carry, which a revocation names."""
    home: Callable[[R], uuid.UUID]
    """The workspace its audit records are in (they are per workspace, under RLS)."""

    async def audit(
        self,
        session: AsyncSession,
        principal: Principal,
        row: R,
        *,
        action: str,
        reason: str,
        before: dict[str, Any] | None,
        revoked: SubjectRevocation | None = None,
    ) -> None:
        """Record ``<name>.<action>`` of ``row`` with its view after (and when its tokens
        were cut off, if they were)."""
        home = self.home(row)
        await set_tenant(session, home)
        by = Mutation(home, principal.subject, reason)
        after = revoked_view(self.view(row), revoked)
        target = f"{self.name}:{row.id}"
        await record_change(session, by, f"{self.name}.{action}", target, before, after)

    async def switch(
        self,
        session: AsyncSession,
        principal: Principal,
        row: R,
        *,
        enabled: bool,
        reason: str,
        horizon_s: int,
    ) -> Changed[R]:
        """Disable or enable a locked row; a no-op (and no audit record) when already so.

        Disabling revokes every token it holds; enabling revives none of them.
        """
        if (row.disabled_at is None) == enabled:
            return Changed(row, None)
        before = self.view(row)
        row.disabled_at = None if enabled else utcnow()
        await session.flush()
        revoked = None
        if not enabled:
            revoked = await self._revoke(session, principal, row, reason, horizon_s)
        action = "enable" if enabled else "disable"
        await self.audit(
            session, principal, row, action=action, reason=reason, before=before, revoked=revoked
        )
        return Changed(row, revoked)

    async def rotate(
        self, session: AsyncSession, principal: Principal, row: R, *, reason: str, horizon_s: int
    ) -> Issued[R]:
        """A new secret for a locked row; the old one, and every token got with it, stop
        working at once. A disabled row stays disabled."""
        before = self.view(row)
        secret = new_client_secret()
        row.secret_hash = hash_secret(secret)
        await session.flush()
        revoked = await self._revoke(session, principal, row, reason, horizon_s)
        await self.audit(
            session,
            principal,
            row,
            action="rotate-secret",
            reason=reason,
            before=before,
            revoked=revoked,
        )
        return Issued(row, secret, revoked)

    async def _revoke(
        self, session: AsyncSession, principal: Principal, row: R, reason: str, horizon_s: int
    ) -> SubjectRevocation:
        # The row is locked: a token request that share-locks it (or an impersonation being
        # started) is either seen here or issued before this moment.
        return await revocation.revoke_subject(
            session,
            subject=self.subject(row),
            horizon_s=horizon_s,
            revoked_by=principal.subject,
            reason=reason,
        )
