"""The platform's ORM models, one per module; importing this package registers its tables.

Every domain holds its own tables in its `models/` package; these are the tables platform
code reads and writes, and the tenants every other table's foreign keys name
(organizations, workspaces). They are the outbox, the event log, idempotency keys, the audit log,
revocations, signing keys, deprovisioning operations and the secret refs that `secrets/` resolves.
"""

from orchestrator.core.models.audit_log import AuditLog
from orchestrator.core.models.deprovision_operation import DeprovisionOperation
from orchestrator.core.models.event import Event
from orchestrator.core.models.event_log_horizon import EventLogHorizon
from orchestrator.core.models.idempotency_key import IdempotencyKey
from orchestrator.core.models.organization import Organization
from orchestrator.core.models.outbox_message import OutboxMessage
from orchestrator.core.models.revoked_subject import RevokedSubject
from orchestrator.core.models.revoked_token import RevokedToken
from orchestrator.core.models.secret_ref import SecretRef
from orchestrator.core.models.signing_key import SigningKey
from orchestrator.core.models.workspace import Workspace, WorkspaceStatus

__all__ = [
    "AuditLog",
    "DeprovisionOperation",
    "Event",
    "EventLogHorizon",
    "IdempotencyKey",
    "Organization",
    "OutboxMessage",
    "RevokedSubject",
    "RevokedToken",
    "SecretRef",
    "SigningKey",
    "Workspace",
    "WorkspaceStatus",
]
