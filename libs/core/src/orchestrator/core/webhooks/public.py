"""What other domains may use of the webhooks domain: its tables, which sources use a ref or a
connector (and the 409 they make), and the check of a binding's operation.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.webhooks.models import (
    WebhookBinding,
    WebhookForward,
    WebhookInboxEntry,
    WebhookRoute,
    WebhookSource,
)
from orchestrator.core.webhooks.sources import operation_errors
from orchestrator.core.webhooks.usage import (
    BoundOperations,
    bound_operations,
    refuse_if_sources,
    webhook_sources_binding_connector,
    webhook_sources_using_secret_ref,
)

__all__ = [
    "BoundOperations",
    "WebhookBinding",
    "WebhookForward",
    "WebhookInboxEntry",
    "WebhookRoute",
    "WebhookSource",
    "bound_operations",
    "operation_errors",
    "refuse_if_sources",
    "webhook_sources_binding_connector",
    "webhook_sources_using_secret_ref",
]
