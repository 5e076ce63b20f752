"""Which operator roles may do what: the one table the guards and ``GET /tokens/self`` read."""

from __future__ import annotations

from orchestrator.core.auth.claims import OperatorRole

ADMINS = (OperatorRole.OPERATOR_ADMIN, OperatorRole.BREAK_GLASS_ADMIN)
"""Change a workspace's configuration, its identities, replay and purge."""
IMPERSONATORS = (OperatorRole.SUPPORT, *ADMINS)
"""Impersonate a workspace of their organization."""
REVOKERS = (OperatorRole.SUPPORT, *ADMINS)
"""Revoke any token of their organization (every operator may revoke its own)."""
AUDIT_READERS = (OperatorRole.READ_ONLY_AUDITOR, *ADMINS)
"""Read the audit log."""

PERMISSIONS: dict[str, tuple[OperatorRole, ...]] = {
    "channel:invite": ADMINS,
    "configuration:write": ADMINS,
    "identity:write": ADMINS,
    "jobs:write": ADMINS,
    "audit:read": AUDIT_READERS,
    "impersonation:start": IMPERSONATORS,
    "tokens:revoke": REVOKERS,
}
"""Named rights, as a client (the console) shows or hides what a role may do."""


def permissions_of(role: str | None) -> list[str]:
    """The rights ``role`` holds, sorted by name."""
    return sorted(name for name, roles in PERMISSIONS.items() if role in roles)
