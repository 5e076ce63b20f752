"""Audiences, scopes, roles and the verified principal of a request."""

from __future__ import annotations

import enum
import uuid

import msgspec

EXEC_AUDIENCE = "orchestrator-exec"
CONTROL_AUDIENCE = "orchestrator-control"
# A guest's token (ADR 0103): only the status channel's routes accept this audience.
CHANNEL_AUDIENCE = "orchestrator-channel"
ALGORITHM = "ES256"

EXEC_SCOPES = ("execute", "jobs:read", "jobs:write", "events:read")
CONTROL_SCOPES = ("control:read", "control:write")
# A platform operator's token (ADR 0051): organizations only, and no organization scope.
PLATFORM_SCOPES = ("platform:read", "platform:write")
PLATFORM_ROLE = "PlatformAdmin"
# The ``tenant_id`` of a platform principal, whose token has no ``tid``: the nil UUID,
# which no workspace has, so nothing scoped by it can match a tenant's rows.
PLATFORM_TENANT = uuid.UUID(int=0)


class OperatorRole(enum.StrEnum):
    """Control-plane roles."""

    OPERATOR_ADMIN = "OperatorAdmin"
    SUPPORT = "Support"
    BILLING_ADMIN = "BillingAdmin"
    READ_ONLY_AUDITOR = "ReadOnlyAuditor"
    BREAK_GLASS_ADMIN = "BreakGlassAdmin"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling, for which tenant, with which rights; built from verified claims."""

    subject: str
    tenant_id: uuid.UUID
    audience: str
    scopes: frozenset[str]
    jti: str
    expires_at: int
    not_before: int | None = None
    organization_id: uuid.UUID | None = None
    role: str | None = None
    # RFC 8693 ``act.sub``: the operator acting through an impersonation token.
    impersonator: str | None = None
    # ``act.org``: the impersonator's organization, so a subject revocation can name it.
    impersonator_organization_id: uuid.UUID | None = None
    impersonation_reason: str | None = None
    # ``iat``: a subject revocation refuses tokens issued up to its moment.
    issued_at: int = 0

    @property
    def is_platform(self) -> bool:
        """A platform operator's token: no organization, no workspace, the platform role."""
        return (
            self.role == PLATFORM_ROLE
            and self.organization_id is None
            and self.impersonator is None
            and self.tenant_id == PLATFORM_TENANT
        )

    def impersonation(self) -> dict[str, str] | None:
        """The audit record's impersonation context, or None for a token used by its owner."""
        if self.impersonator is None:
            return None
        return {
            "operator": self.impersonator,
            "reason": self.impersonation_reason or "",
            "jti": self.jti,
        }
