"""``/api/v1/webhooks/sources``: a workspace's webhook sources and their bindings."""

from __future__ import annotations

import uuid

import msgspec
from litestar import delete, get, put

from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ, WRITE, creates
from orchestrator.control_api.scope import (
    Reason,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS, WRITES, out, page_out
from orchestrator.control_api.webhook_sources.schemas import (
    WebhookBindingIn,
    WebhookBindingList,
    WebhookBindingOut,
    WebhookSourceIn,
    WebhookSourceList,
    WebhookSourceOut,
)
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.runtime import Resources
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks import repository, service
from orchestrator.core.webhooks.models import WebhookSource
from orchestrator.core.webhooks.sources import ingress_path


def to_out(row: WebhookSource) -> WebhookSourceOut:
    """The API view of a source."""
    return out(row, WebhookSourceOut, ingress_path=ingress_path(row.id))


def to_input(data: WebhookSourceIn) -> service.SourceInput:
    """What the service checks and stores."""
    return msgspec.convert(data, service.SourceInput, from_attributes=True)


def binding_input(data: WebhookBindingIn) -> service.BindingInput:
    """What the service checks and stores."""
    return msgspec.convert(data, service.BindingInput, from_attributes=True)


class WebhookSourceController(ScopedController):
    """Webhook sources of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/webhooks/sources"
    tags = ["webhooks"]

    @get(opt=READ, responses=READS, dependencies=PAGED)
    async def list_webhook_sources(
        self, ws: WorkspaceScope, page: PageRequest
    ) -> WebhookSourceList:
        """The workspace's webhook sources by name; cursor-paginated."""
        got = await repository.SOURCES.list(ws.session, page)
        return page_out(got, WebhookSourceList, lambda row: {"ingress_path": ingress_path(row.id)})

    @get("/{source_id:uuid}", opt=READ, responses=READS)
    async def get_webhook_source(
        self, ws: WorkspaceScope, source_id: uuid.UUID
    ) -> WebhookSourceOut:
        """One webhook source."""
        return to_out(await service.get_source(ws.session, source_id))

    @creates()
    async def create_webhook_source(
        self, ws: WorkspaceScope, data: WebhookSourceIn, reason: Reason
    ) -> WebhookSourceOut:
        """Create a webhook source: a known provider, options only (and always) for `hmac`,
        routing keys the provider's events carry, existing secret refs (else 422)."""
        m = ws.mutation(reason)
        return to_out(await service.create_source(ws.session, m, to_input(data)))

    @put("/{source_id:uuid}", opt=WRITE, responses=WRITES)
    async def replace_webhook_source(
        self, ws: WorkspaceScope, source_id: uuid.UUID, data: WebhookSourceIn, reason: Reason
    ) -> WebhookSourceOut:
        """Replace a webhook source; the version goes up only when something changes."""
        m = ws.mutation(reason)
        return to_out(await service.replace_source(ws.session, m, source_id, to_input(data)))

    @delete("/{source_id:uuid}", opt=WRITE, responses=READS)
    async def delete_webhook_source(
        self, ws: WorkspaceScope, source_id: uuid.UUID, reason: Reason
    ) -> None:
        """Delete a webhook source and its bindings."""
        await service.delete_source(ws.session, ws.mutation(reason), source_id)

    @get(
        "/{source_id:uuid}/bindings",
        opt=READ,
        responses=READS,
        dependencies=PAGED,
    )
    async def list_webhook_bindings(
        self, ws: WorkspaceScope, source_id: uuid.UUID, page: PageRequest
    ) -> WebhookBindingList:
        """A source's bindings, oldest first; cursor-paginated."""
        got = await service.list_bindings(ws.session, source_id, page)
        return page_out(got, WebhookBindingList)

    @creates("/{source_id:uuid}/bindings")
    async def create_webhook_binding(
        self,
        resources: Resources,
        ws: WorkspaceScope,
        source_id: uuid.UUID,
        data: WebhookBindingIn,
        reason: Reason,
    ) -> WebhookBindingOut:
        """Bind a source's events to a job of an operation of one of the workspace's
        connectors, or to a signed forward to a URL the SSRF policy allows (else 422)."""
        network = NetworkPolicy.from_settings(resources.settings.upstream)
        m = ws.mutation(reason)
        row = await service.create_binding(ws.session, m, source_id, binding_input(data), network)
        return out(row, WebhookBindingOut)

    @delete("/{source_id:uuid}/bindings/{binding_id:uuid}", opt=WRITE, responses=READS)
    async def delete_webhook_binding(
        self, ws: WorkspaceScope, source_id: uuid.UUID, binding_id: uuid.UUID, reason: Reason
    ) -> None:
        """Delete one binding."""
        await service.delete_binding(ws.session, ws.mutation(reason), source_id, binding_id)
