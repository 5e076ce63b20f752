"""The control-api: tenants, identities, tokens and each workspace's configuration."""

from __future__ import annotations

from litestar.openapi.spec import SecurityScheme
from litestar.types import ASGIApp

from orchestrator.control_api.audit.controllers import AuditController
from orchestrator.control_api.bundles.controllers import BundleController
from orchestrator.control_api.channels import runtime as channel_runtime
from orchestrator.control_api.channels.admin import ChannelAdminController
from orchestrator.control_api.channels.controllers import ChannelController
from orchestrator.control_api.channels.guests import redeem_invite, refresh_guest_token
from orchestrator.control_api.configs.controllers import ConfigController
from orchestrator.control_api.connector_types.controllers import list_connector_types
from orchestrator.control_api.connectors.controllers import ConnectorController
from orchestrator.control_api.deletions.controllers import DeletionController
from orchestrator.control_api.dlq.controllers import DlqController
from orchestrator.control_api.drafts.controllers import DraftController
from orchestrator.control_api.impersonation.controllers import ImpersonationController
from orchestrator.control_api.jobs.controllers import JobController
from orchestrator.control_api.oauth import federation
from orchestrator.control_api.oauth.controllers import CLIENT_BASIC, jwks, token
from orchestrator.control_api.operators.controllers import OperatorController
from orchestrator.control_api.organizations.controllers import OrganizationController
from orchestrator.control_api.overview.controllers import OverviewController
from orchestrator.control_api.policies.controllers import PolicyController
from orchestrator.control_api.quotas.controllers import QuotaController
from orchestrator.control_api.schedules.controllers import ScheduleController
from orchestrator.control_api.secret_refs.controllers import SecretRefController
from orchestrator.control_api.service_identities.controllers import ServiceIdentityController
from orchestrator.control_api.settings import get_settings
from orchestrator.control_api.signing_secrets.controllers import SigningSecretController
from orchestrator.control_api.tokens.controllers import revoke_self, revoke_token, token_self
from orchestrator.control_api.versions.controllers import VersionController
from orchestrator.control_api.webhook_inbox.controllers import WebhookInboxController
from orchestrator.control_api.webhook_sources.controllers import WebhookSourceController
from orchestrator.control_api.workflow_runs.controllers import WorkflowRunController
from orchestrator.control_api.workflows.controllers import WorkflowController
from orchestrator.control_api.workspaces.controllers import WorkspaceController
from orchestrator.core.events.cursor import configure_cursors
from orchestrator.core.http.app import create_service_app


def create_app() -> ASGIApp:
    """Build the control-api ASGI app."""
    # The workspace overview shows events with their ids, sealed as the exec-api seals them.
    configure_cursors(get_settings().core.crypto)
    return create_service_app(
        service="control-api",
        title="Orchestrator control-api",
        settings=get_settings().core,
        route_handlers=[
            token,
            jwks,
            revoke_token,
            token_self,
            revoke_self,
            OrganizationController,
            WorkspaceController,
            DeletionController,
            PolicyController,
            SecretRefController,
            ConnectorController,
            list_connector_types,
            ConfigController,
            VersionController,
            DraftController,
            QuotaController,
            ScheduleController,
            WorkflowController,
            BundleController,
            WebhookSourceController,
            WebhookInboxController,
            DlqController,
            JobController,
            WorkflowRunController,
            OverviewController,
            AuditController,
            SigningSecretController,
            OperatorController,
            ServiceIdentityController,
            ImpersonationController,
            ChannelController,
            ChannelAdminController,
            redeem_invite,
            refresh_guest_token,
        ],
        signs_tokens=True,
        lifespans=[federation.lifespan, channel_runtime.lifespan],
        security_schemes={
            CLIENT_BASIC: SecurityScheme(
                type="http",
                scheme="basic",
                description="OAuth client id and secret (RFC 6749 §2.3.1), for /oauth/token only",
            )
        },
    )
