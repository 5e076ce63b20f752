"""The platform's ORM models, one per module; importing this package registers its tables.

Domains hold their own tables, each in its `models/` package: jobs, workflows, webhooks.
"""

from orchestrator.core.models.audit_log import AuditLog
from orchestrator.core.models.config import Config
from orchestrator.core.models.config_version import ConfigVersion
from orchestrator.core.models.connector import Connector
from orchestrator.core.models.event import Event
from orchestrator.core.models.event_log_horizon import EventLogHorizon
from orchestrator.core.models.idempotency_key import IdempotencyKey
from orchestrator.core.models.operator import Operator
from orchestrator.core.models.organization import Organization
from orchestrator.core.models.outbox_message import OutboxMessage
from orchestrator.core.models.platform_operator import PlatformOperator
from orchestrator.core.models.policy import Policy
from orchestrator.core.models.revoked_subject import RevokedSubject
from orchestrator.core.models.revoked_token import RevokedToken
from orchestrator.core.models.schedule import Schedule, ScheduleWakeup
from orchestrator.core.models.secret_ref import SecretRef
from orchestrator.core.models.service_identity import ServiceIdentity
from orchestrator.core.models.signing_key import SigningKey
from orchestrator.core.models.tenant_quota import TenantQuotaRow
from orchestrator.core.models.workspace import Workspace, WorkspaceStatus
from orchestrator.core.models.workspace_secret import WorkspaceSecret

__all__ = [
    "AuditLog",
    "Config",
    "ConfigVersion",
    "Connector",
    "Event",
    "EventLogHorizon",
    "IdempotencyKey",
    "Operator",
    "Organization",
    "OutboxMessage",
    "PlatformOperator",
    "Policy",
    "RevokedSubject",
    "RevokedToken",
    "Schedule",
    "ScheduleWakeup",
    "SecretRef",
    "ServiceIdentity",
    "SigningKey",
    "TenantQuotaRow",
    "Workspace",
    "WorkspaceSecret",
    "WorkspaceStatus",
]
