"""ORM models, one per module; importing this package registers them all."""

from orchestrator.core.models.audit_log import AuditLog
from orchestrator.core.models.operator import Operator
from orchestrator.core.models.organization import Organization
from orchestrator.core.models.revoked_token import RevokedToken
from orchestrator.core.models.service_identity import ServiceIdentity
from orchestrator.core.models.signing_key import SigningKey
from orchestrator.core.models.workspace import Workspace, WorkspaceStatus
from orchestrator.core.models.workspace_secret import WorkspaceSecret

__all__ = [
    "AuditLog",
    "Operator",
    "Organization",
    "RevokedToken",
    "ServiceIdentity",
    "SigningKey",
    "Workspace",
    "WorkspaceSecret",
    "WorkspaceStatus",
]
