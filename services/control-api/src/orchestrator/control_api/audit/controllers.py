"""``/api/v1/audit``: a workspace's audit log, read by its auditors and admins."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter

from orchestrator.control_api.audit.schemas import AuditList, AuditRecordOut
from orchestrator.control_api.guards import requires_role
from orchestrator.control_api.pages import TimeCursor
from orchestrator.control_api.roles import AUDIT_READERS
from orchestrator.control_api.scope import (
    READ_GUARDS,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS
from orchestrator.control_api.webhook_inbox.controllers import Instant
from orchestrator.core.audit import repository
from orchestrator.core.audit.cursor import AuditIds, AuditPosition
from orchestrator.core.audit.repository import AuditFilter
from orchestrator.core.http.auth import guarded
from orchestrator.core.http.fields import NO_NUL, parse_instant
from orchestrator.core.models import AuditLog
from orchestrator.core.runtime import Resources

# Support and BillingAdmin read the configuration but not who changed it and why: the
# log names every operator and impersonation of the workspace.
_IDS_KEY = "audit_ids"


Actor = Annotated[str | None, QueryParameter(min_length=1, max_length=200, pattern=NO_NUL)]
Action = Annotated[str | None, QueryParameter(min_length=1, max_length=100, pattern=NO_NUL)]
ActionPrefix = Annotated[
    str | None,
    QueryParameter(
        min_length=1,
        max_length=100,
        pattern=NO_NUL,
        description="Actions starting with this text (`secret_ref.`).",
    ),
]
Target = Annotated[str | None, QueryParameter(min_length=1, max_length=300, pattern=NO_NUL)]


def ids_of(request: Request[Any, Any, Any]) -> AuditIds:
    """The process's audit id sealer, made from the KEK on first use."""
    state = request.app.state
    ids: AuditIds | None = state.get(_IDS_KEY)
    if ids is None:
        resources: Resources = state.resources
        ids = state[_IDS_KEY] = AuditIds(resources.settings.crypto)
    return ids


def to_out(ids: AuditIds, row: AuditLog) -> AuditRecordOut:
    """The API view of a record; its id sealed."""
    return AuditRecordOut(
        id=ids.encode(AuditPosition(row.created_at, row.id)),
        actor=row.actor,
        action=row.action,
        target=row.target,
        reason=row.reason,
        before=row.before,
        after=row.after,
        request_id=row.request_id,
        impersonation=row.impersonation,
        created_at=row.created_at,
    )


class AuditController(ScopedController):
    """The audit log of the workspace (``?workspace=``, default the token's): every change
    made through the control-api and every request made with an impersonation token, with
    its reason. Reading it is not itself audited."""

    path = "/api/v1/audit"
    tags = ["audit"]

    @get(opt=guarded(*READ_GUARDS, requires_role(*AUDIT_READERS)), responses=READS)
    async def list_audit_records(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        actor: Actor = None,
        action: Action = None,
        action_prefix: ActionPrefix = None,
        target: Target = None,
        since: Instant = None,
        until: Instant = None,
        cursor: TimeCursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> AuditList:
        """The workspace's audit records, newest first, filtered (``since`` inclusive,
        ``until`` exclusive); cursor-paginated. Auditors and admins only."""
        ids = ids_of(request)
        after = ids.cursor_param(cursor)
        f = AuditFilter(
            actor=actor,
            action=action,
            action_prefix=action_prefix,
            target=target,
            since=parse_instant("since", since),
            until=parse_instant("until", until),
        )
        rows = await repository.page(ws.session, ws.tenant_id, f, after=after, limit=limit + 1)
        items = [to_out(ids, row) for row in rows[:limit]]
        return AuditList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
