"""The webhooks domain's tables; importing this package registers them all."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.webhooks.models.webhook_binding import WebhookBinding
from orchestrator.core.webhooks.models.webhook_forward import WebhookForward
from orchestrator.core.webhooks.models.webhook_inbox import WebhookInboxEntry
from orchestrator.core.webhooks.models.webhook_route import WebhookRoute
from orchestrator.core.webhooks.models.webhook_source import WebhookSource

__all__ = ["WebhookBinding", "WebhookForward", "WebhookInboxEntry", "WebhookRoute", "WebhookSource"]
