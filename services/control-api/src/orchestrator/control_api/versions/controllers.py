"""``/api/v1/versions``: a workspace's configuration history, the diff of any two
versions, and moving the active pointer (activate, rollback) (ADR 0077)."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from orchestrator.control_api.channels.statuses import post_after_commit
from orchestrator.control_api.fields import VERSION_MAX, ExpectedActive, VersionInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ, acts
from orchestrator.control_api.scope import Reason, ScopedController, WorkspaceScope
from orchestrator.control_api.versions.schemas import (
    VersionDiff,
    VersionHead,
    VersionList,
    VersionOut,
)
from orchestrator.control_api.views import READS, out, page_out
from orchestrator.core.channels.public import StatusKind
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.errors import NotFound
from orchestrator.core.runtime import Resources
from orchestrator.core.versions import activation, repository, service


async def head_of(ws: WorkspaceScope) -> VersionHead:
    """The workspace's head; 404 before its first version."""
    head = await repository.head(ws.session)
    if head is None:
        raise NotFound("The workspace has no configuration version yet.")
    return out(head, VersionHead)


class VersionController(ScopedController):
    """Versions of one workspace's configuration (``?workspace=``, default the token's)."""

    path = "/api/v1/versions"
    tags = ["versions"]

    @get(opt=READ, responses=READS, dependencies=PAGED)
    async def list_versions(self, ws: WorkspaceScope, page: PageRequest) -> VersionList:  # type: ignore[valid-type]  # a class page_schema makes
        """The workspace's versions, newest first, without snapshots; cursor-paginated."""
        return page_out(await repository.history(ws.session, page), VersionList)

    @get("/head", opt=READ, responses=READS)
    async def get_head(self, ws: WorkspaceScope) -> VersionHead:
        """Which version is active and which one a rollback returns to."""
        return await head_of(ws)

    @get("/diff", opt=READ, responses=READS)
    async def diff_versions(
        self,
        ws: WorkspaceScope,
        before: Annotated[int, QueryParameter(name="from", ge=1, le=VERSION_MAX)],
        after: Annotated[int, QueryParameter(name="to", ge=1, le=VERSION_MAX)],
    ) -> VersionDiff:
        """What changed from version ``from`` to version ``to`` (either may be the newer)."""
        changes = await service.compare(ws.session, before, after)
        return VersionDiff(before=before, after=after, changes=changes)

    @get("/{number:int}", opt=READ, responses=READS)
    async def get_version(self, ws: WorkspaceScope, number: VersionInPath) -> VersionOut:
        """One version, with its snapshot."""
        return out(await service.version(ws.session, number), VersionOut)

    @acts("/{number:int}/activate")
    async def activate_version(
        self,
        ws: WorkspaceScope,
        resources: Resources,
        number: VersionInPath,
        reason: Reason,
        expected_active_version: ExpectedActive = None,
    ) -> VersionHead:
        """Apply version ``number`` to the workspace and make it active: what it lacks is
        deleted, what differs is rewritten (each write audited), and every service follows
        within a second. 409 when ``expected_active_version`` is not active, or when
        something kept still needs what the version lacks (nothing is written then)."""
        change = ws.mutation(reason)
        await activation.activate(ws.session, change, number, expected=expected_active_version)
        head = await head_of(ws)
        post_after_commit(ws, resources, StatusKind.CONFIG_ACTIVATED, head.active)
        return head

    @acts("/rollback")
    async def rollback_version(
        self,
        ws: WorkspaceScope,
        resources: Resources,
        reason: Reason,
        expected_active_version: ExpectedActive = None,
    ) -> VersionHead:
        """Make the version active before the current one active again (a second rollback
        undoes the first); 409 when there is none."""
        change = ws.mutation(reason)
        await activation.rollback(ws.session, change, expected=expected_active_version)
        head = await head_of(ws)
        post_after_commit(ws, resources, StatusKind.CONFIG_ROLLED_BACK, head.active)
        return head
