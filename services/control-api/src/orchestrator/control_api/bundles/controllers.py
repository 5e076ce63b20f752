"""``/api/v1/bundles``: export a workspace's configuration, and import one whole."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter

from orchestrator.control_api.fields import VersionToRead
from orchestrator.control_api.routes import READ, WRITE, acts
from orchestrator.control_api.schedules.controllers import network_of
from orchestrator.control_api.scope import Reason, ScopedController, WorkspaceScope
from orchestrator.control_api.secret_refs.controllers import scope_of
from orchestrator.control_api.views import READS
from orchestrator.core.bundles.export import export_bundle
from orchestrator.core.bundles.importing import import_bundle
from orchestrator.core.bundles.model import Bundle, ImportReport
from orchestrator.core.deadline import route_budget
from orchestrator.core.versions import service as versions

DryRun = Annotated[
    bool,
    QueryParameter(
        name="dry_run",
        required=False,
        description="Validate and report what would change, writing nothing.",
    ),
]

Prune = Annotated[
    bool,
    QueryParameter(
        name="prune",
        required=False,
        description=(
            "Also delete the policies, secret refs, connectors, workflows, schedules and webhook "
            "sources the bundle does not list (the last three only when it has that member; "
            "each before what it names; configs are never deleted); 409 when a webhook source "
            "still uses one, or a kept schedule starts a deleted workflow, and nothing is "
            "written."
        ),
    ),
]


class BundleController(ScopedController):
    """One workspace's configuration as one JSON document (``?workspace=``, default the token's)."""

    path = "/api/v1/bundles"
    tags = ["bundles"]

    @get("/export", opt=READ | route_budget(), responses=READS)
    async def export(self, ws: WorkspaceScope, version: VersionToRead = None) -> Bundle:
        """The workspace's tenant, policies, secret refs (never values), connectors, configs,
        workflows, schedules and webhook sources (each with its id, its ingress identity, and
        its bindings): as they are (the active version), or as version ``version`` held them
        (404 when the workspace has no such version)."""
        if version is None:
            return await export_bundle(ws.session, ws.workspace)
        return await versions.bundle_of(ws.session, ws.workspace, version)

    @acts("/import", opt=WRITE | route_budget())
    async def import_(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        data: Bundle,
        reason: Reason,
        dry_run: DryRun = False,
        prune: Prune = False,
    ) -> ImportReport:
        """Validate the whole bundle (422 lists every error), then upsert by name in one
        transaction. Items equal to the stored ones are untouched, so re-importing a bundle
        changes nothing; nothing is deleted unless ``?prune=true``. ``tenant.quotas`` is
        applied; the tenant's id, name and environment describe the source and are not.
        Workflows are checked against the connectors as the import leaves them, schedules
        against those connectors and workflows; a bundle without ``workflows``,
        ``schedules`` or ``webhook_sources`` leaves the workspace's alone. A webhook source
        gets exactly the bindings it lists (matched by content); a missing one is created at
        its ``id`` only when the bundle is this workspace's own (``tenant.id``), else at a
        new id, so its provider needs the new ingress URL."""
        return await import_bundle(
            ws.session,
            ws.mutation(reason),
            data,
            dry_run=dry_run,
            prune=prune,
            network=network_of(request),
            refs=scope_of(request),
        )
