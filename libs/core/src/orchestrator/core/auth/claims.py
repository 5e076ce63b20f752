"""Audiences, scopes, roles and the verified principal of a request."""

from __future__ import annotations

import enum
import uuid

import msgspec

EXEC_AUDIENCE = "orchestrator-exec"
CONTROL_AUDIENCE = "orchestrator-control"
ALGORITHM = "ES256"

EXEC_SCOPES = ("execute", "jobs:read", "jobs:write", "events:read")
CONTROL_SCOPES = ("control:read", "control:write")


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

    def impersonation(self) -> dict[str, str] | None:
        """The audit record's impersonation context, or None for a token used by its owner."""
        if self.impersonator is None:
            return None
        return {
            "operator": self.impersonator,
            "reason": self.impersonation_reason or "",
            "jti": self.jti,
        }
