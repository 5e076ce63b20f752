"""``/api/v1/webhooks/inbox``: a workspace's stored deliveries, and retrying them."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from operator import attrgetter
from typing import Annotated, Any, NamedTuple

from litestar import Request, Response, get, post
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.pages import TimePage
from orchestrator.control_api.routes import READ, WRITE, newest_first_list
from orchestrator.control_api.scope import (
    Reason,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS, WRITES, out
from orchestrator.control_api.webhook_inbox.schemas import (
    InboxEntryDetail,
    InboxEntryOut,
    InboxList,
    InboxRetried,
    InboxRetryIn,
    Status,
)
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.deadline import route_budget
from orchestrator.core.events.wake import Waker
from orchestrator.core.http.fields import NO_NUL, parse_instant
from orchestrator.core.http.raw import OCTETS, raw_response, raw_spec
from orchestrator.core.runtime import Resources
from orchestrator.core.webhooks import inbox_repository, inbox_service
from orchestrator.core.webhooks.bodies import body_media_type, body_of, body_size, serve_body
from orchestrator.core.webhooks.inbox_repository import InboxFilter
from orchestrator.core.webhooks.models import WebhookInboxEntry

_WAKER_KEY = "webhook_inbox_waker"

Instant = Annotated[
    str | None,
    QueryParameter(
        format=OpenAPIFormat.DATE_TIME,
        max_length=64,
        description="An RFC 3339 date-time with its offset (`2026-11-25T10:00:00Z`).",
    ),
]


def waker_of(request: Request[Any, Any, Any]) -> Waker:
    """The process's wake-up sender for the outbox relays, created on first use."""
    state = request.app.state
    waker: Waker | None = state.get(_WAKER_KEY)
    if waker is None:
        resources: Resources = state.resources
        waker = state[_WAKER_KEY] = Waker(resources.redis, resources.settings.redis.namespace)
    return waker


def audited(ws: WorkspaceScope, reason: str) -> Mutation:
    """Who retries, and why; a retry changes no configuration, so no reload is announced."""
    return Mutation(tenant_id=ws.tenant_id, actor=ws.principal.subject, reason=reason)


class Requeue(NamedTuple):
    """What putting stored work back on the queue takes, in the order the services take
    it: the workspace's session, the relays' waker, and who does it and why."""

    session: AsyncSession
    waker: Waker
    by: Mutation


async def provide_requeue(
    request: Request[Any, Any, Any], ws: WorkspaceScope, reason: Reason
) -> Requeue:
    """A handler's ``requeue``, audited with the request's ``reason``."""
    return Requeue(ws.session, waker_of(request), audited(ws, reason))


class RequeuingController(ScopedController):
    """The base of a controller that puts stored work back on the queue: its handlers may
    also ask for a ``requeue``."""

    dependencies = {**ScopedController.dependencies, "requeue": provide_requeue}


def _derived(row: WebhookInboxEntry) -> dict[str, Any]:
    # The view shows the body's size, not the body, and says workspace for tenant.
    return {"body_bytes": body_size(row), "routed_workspace_id": row.routed_tenant_id}


def to_out(row: WebhookInboxEntry) -> InboxEntryOut:
    """The API view of an event, without its body."""
    return out(row, InboxEntryOut, **_derived(row))


async def to_detail(row: WebhookInboxEntry) -> InboxEntryDetail:
    """The API view of an event with its raw body (read back from the payload store, and
    checked, when it was kept there)."""
    body_base64 = base64.b64encode(await body_of(row)).decode()
    return out(row, InboxEntryDetail, **_derived(row), body_base64=body_base64)


async def provide_only(
    status: Status | None = None,
    source_id: uuid.UUID | None = None,
    event_type: Annotated[
        str | None, QueryParameter(min_length=1, max_length=200, pattern=NO_NUL)
    ] = None,
    received_after: Instant = None,
    received_before: Instant = None,
) -> InboxFilter:
    """Which stored deliveries a list shows; 400 for an instant that is not RFC 3339 with
    an offset."""
    return InboxFilter(
        statuses=[status] if status else None,
        source_id=source_id,
        event_type=event_type,
        received_after=parse_instant("received_after", received_after),
        received_before=parse_instant("received_before", received_before),
    )


async def list_webhook_inbox(
    ws: WorkspaceScope, only: InboxFilter, page: TimePage
) -> Sequence[WebhookInboxEntry]:
    """The workspace's stored deliveries, newest first, filtered; cursor-paginated."""
    return await inbox_repository.page(ws.session, only, after=page.after, limit=page.read_limit)


class WebhookInboxController(RequeuingController):
    """Stored deliveries of the workspace's webhook sources (``?workspace=``, default the
    token's). An event routed to another workspace of the organization stays listed in the
    inbox of the workspace whose source received it."""

    path = "/api/v1/webhooks/inbox"
    tags = ["webhooks"]

    list_webhook_inbox = newest_first_list(
        list_webhook_inbox, provide_only, InboxList, to_out, at=attrgetter("received_at")
    )

    @get("/{inbox_id:uuid}", opt=READ, responses=READS)
    async def get_webhook_inbox_entry(
        self, ws: WorkspaceScope, inbox_id: uuid.UUID
    ) -> InboxEntryDetail:
        """One stored delivery, with its raw body."""
        return await to_detail(await inbox_service.get(ws.session, inbox_id))

    @get(
        "/{inbox_id:uuid}/body",
        opt=READ,
        responses={
            **raw_spec("The body as received, of its declared media type", OCTETS),
            **READS,
        },
    )
    async def get_webhook_inbox_body(
        self, ws: WorkspaceScope, inbox_id: uuid.UUID
    ) -> Response[Any]:
        """One stored delivery's raw body, byte for byte, with the ``Content-Type`` it was
        sent with; streamed from the payload store, each piece checked, when kept there (a
        body failing its check there ends short of its ``Content-Length``)."""
        row = await inbox_service.get(ws.session, inbox_id)
        return raw_response(await serve_body(row), body_media_type(row.headers))

    @post("/{inbox_id:uuid}/retry", opt=WRITE, status_code=202, responses=WRITES)
    async def retry_webhook_inbox_entry(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        inbox_id: uuid.UUID,
        reason: Reason,
    ) -> InboxEntryOut:
        """Route an unrouted, ignored or failed event again, against today's claims and
        bindings (409 for one that is routed or still waiting)."""
        row = await inbox_service.retry_one(
            ws.session, waker_of(request), audited(ws, reason), inbox_id
        )
        return to_out(row)

    @post("/retry", opt=WRITE | route_budget(), status_code=202, responses=WRITES)
    async def retry_webhook_inbox(self, data: InboxRetryIn, requeue: Requeue) -> InboxRetried:
        """Route again up to ``limit`` unrouted, ignored or failed events matching the
        filter, oldest first."""
        f = InboxFilter(
            statuses=list(data.status) if data.status else None,
            source_id=data.source_id,
            event_type=data.event_type,
            received_after=parse_instant("received_after", data.received_after),
            received_before=parse_instant("received_before", data.received_before),
        )
        ids = await inbox_service.retry_many(*requeue, f, limit=data.limit)
        return InboxRetried(retried=len(ids), ids=ids)
