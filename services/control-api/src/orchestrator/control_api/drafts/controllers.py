"""``/api/v1/drafts``: stage several configuration changes and activate them together as
one version (ADR 0078)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, delete, get, put

from orchestrator.control_api.drafts.schemas import (
    DraftActivated,
    DraftDiff,
    DraftList,
    DraftOpen,
    DraftOut,
    DraftRefusal,
)
from orchestrator.control_api.fields import ExpectedActive, NameInPath
from orchestrator.control_api.routes import READ, WRITE, acts, creates
from orchestrator.control_api.schedules.controllers import network_of
from orchestrator.control_api.scope import Reason, ScopedController, WorkspaceScope
from orchestrator.control_api.secret_refs.controllers import scope_of
from orchestrator.control_api.views import READS, WRITES, out
from orchestrator.core.bundles.model import Bundle
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.deadline import route_budget
from orchestrator.core.errors import NotFound
from orchestrator.core.observability.context import request_id_var
from orchestrator.core.versions import drafts, repository

ONE = "/{draft_id:uuid}"
ITEM = ONE + "/items/{member:str}/{name:str}"


def staging(ws: WorkspaceScope, reason: str) -> Mutation:
    """The audit context of a draft's edit: not a configuration change, so the scope
    neither records a version nor tells the services to reload."""
    return Mutation(tenant_id=ws.tenant_id, actor=ws.principal.subject, reason=reason)


def checks_of(request: Request[Any, Any, Any]) -> drafts.Checks:
    """The request's address and secret-ref policies, which the import checks against."""
    return drafts.Checks(network=network_of(request), refs=scope_of(request))


def member_of(member: str) -> str:
    """``member`` as one of the bundle members a draft edits by item; 404 otherwise."""
    if member not in drafts.ITEMS:
        raise NotFound(
            f"A draft has no member `{member}`; its members are {', '.join(drafts.ITEMS)}."
        )
    return member


class DraftController(ScopedController):
    """Drafts of one workspace's configuration (``?workspace=``, default the token's)."""

    path = "/api/v1/drafts"
    tags = ["drafts"]

    @get(opt=READ, responses=READS)
    async def list_drafts(self, ws: WorkspaceScope) -> DraftList:
        """The workspace's drafts, newest first, without their content."""
        rows = await repository.drafts(ws.session)
        return DraftList(items=[out(row, DraftOut) for row in rows])

    @creates()
    async def open_draft(self, ws: WorkspaceScope, data: DraftOpen, reason: Reason) -> DraftOut:
        """Open a draft holding the configuration as it is, or version ``from_version``;
        409 when the workspace already holds 20 drafts."""
        draft = await drafts.open_draft(
            ws.session, staging(ws, reason), ws.workspace, data.title, data.from_version
        )
        return out(draft, DraftOut, content=draft.content)

    @get(ONE, opt=READ, responses=READS)
    async def get_draft(self, ws: WorkspaceScope, draft_id: uuid.UUID) -> DraftOut:
        """One draft, with the whole configuration it would make active."""
        draft = await drafts.find(ws.session, draft_id)
        return out(draft, DraftOut, content=draft.content)

    @put(ONE + "/content", opt=WRITE, responses=WRITES)
    async def replace_draft_content(
        self, ws: WorkspaceScope, draft_id: uuid.UUID, data: Bundle, reason: Reason
    ) -> DraftOut:
        """Replace the whole configuration the draft holds (a bundle; its ``tenant`` keeps
        only ``quotas``). Only its shape is checked here; the diff says what activating
        would refuse."""
        draft = await drafts.replace_content(ws.session, staging(ws, reason), draft_id, data)
        return out(draft, DraftOut, content=draft.content)

    @put(ITEM, opt=WRITE, responses=WRITES)
    async def put_draft_item(
        self,
        ws: WorkspaceScope,
        draft_id: uuid.UUID,
        member: str,
        name: NameInPath,
        data: dict[str, Any],
        reason: Reason,
    ) -> DraftOut:
        """Add or replace one item of the draft, as the bundle's ``member`` list holds it
        (``policies``, ``secret_refs``, ``connectors``, ``configs``, ``workflows``,
        ``schedules``, ``webhook_sources``); its ``name`` is the path's. 422 when it is
        not such an item."""
        change = staging(ws, reason)
        draft = await drafts.put_item(ws.session, change, draft_id, member_of(member), name, data)
        return out(draft, DraftOut, content=draft.content)

    @delete(ITEM, opt=WRITE, responses=READS)
    async def remove_draft_item(
        self, ws: WorkspaceScope, draft_id: uuid.UUID, member: str, name: NameInPath, reason: Reason
    ) -> None:
        """Remove one item from the draft (activating then deletes it); 404 when absent."""
        change = staging(ws, reason)
        await drafts.put_item(ws.session, change, draft_id, member_of(member), name, None)

    @get(ONE + "/diff", opt=READ | route_budget(), responses=READS)
    async def diff_draft(
        self, request: Request[Any, Any, Any], ws: WorkspaceScope, draft_id: uuid.UUID
    ) -> DraftDiff:
        """What activating the draft would change now (resources and fields, by JSON
        Pointer), and the problem activating would answer now, if any."""
        draft = await drafts.find(ws.session, draft_id)
        head = await repository.head(ws.session)
        check = staging(ws, "check the draft")
        refused = await drafts.check(ws.session, check, draft, checks_of(request))
        return DraftDiff(
            draft=draft.id,
            base=draft.base,
            active=None if head is None else head.active,
            changes=await drafts.compare(ws.session, ws.workspace, draft),
            refused=None
            if refused is None
            else DraftRefusal(
                status=refused.status,
                code=refused.code,
                title=refused.title,
                detail=refused.detail,
                errors=refused.extensions.get("errors"),
            ),
        )

    @acts(ONE + "/activate", opt=WRITE | route_budget())
    async def activate_draft(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        draft_id: uuid.UUID,
        reason: Reason,
        expected_active_version: ExpectedActive = None,
    ) -> DraftActivated:
        """Apply the draft as one new version, made active, and delete the draft; every
        service follows within a second. 409 unless ``expected_active_version`` (default:
        the draft's ``base``) is active, or when something kept still needs what the draft
        lacks; 422 when an item is invalid. Nothing is written then."""
        number = await drafts.activate(
            ws.session,
            ws.mutation(reason),
            ws.workspace,
            draft_id,
            expected=expected_active_version,
            checks=checks_of(request),
            request_id=request_id_var.get(),
        )
        head = await repository.head(ws.session)
        return DraftActivated(version=number, active=None if head is None else head.active)

    @delete(ONE, opt=WRITE, responses=READS)
    async def discard_draft(self, ws: WorkspaceScope, draft_id: uuid.UUID, reason: Reason) -> None:
        """Discard the draft; the configuration is untouched."""
        await drafts.discard(ws.session, staging(ws, reason), draft_id)
