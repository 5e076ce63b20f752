"""``/api/v1/secret-refs``: CRUD of secret refs and the write-only value of ``db://`` ones."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put

from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.control_api.secret_refs.schemas import (
    SecretRefCreate,
    SecretRefList,
    SecretRefOut,
    SecretRefReplace,
    SecretValue,
)
from orchestrator.core.configuration import repository, secret_refs
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.models import SecretRef
from orchestrator.core.runtime import Resources
from orchestrator.core.secrets.keyring import keyring_from
from orchestrator.core.secrets.refs import scheme_of
from orchestrator.core.secrets.scope import RefScope

READS = problem_responses(400, 401, 403, 404, 409, 503)
WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)


def scope_of(request: Request[Any, Any, Any]) -> RefScope:
    """What this deployment's secret refs may reach (``ORCH_SECRET_REFS_*``)."""
    resources: Resources = request.app.state.resources
    return RefScope.from_settings(resources.settings.secret_refs)


def to_out(row: SecretRef) -> SecretRefOut:
    """The API view of a secret ref."""
    return SecretRefOut(
        name=row.name,
        ref=row.ref,
        # A row stored before the current rules is still shown (and can be repointed).
        scheme=scheme_of(row.ref) or "unknown",
        has_value=row.sealed_value is not None,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SecretRefController(Controller):
    """Secret refs of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/secret-refs"
    tags = ["secret-refs"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "ws": provide_scope}

    @get(opt=guarded(*READ_GUARDS), responses=READS, dependencies=PAGED)
    async def list_secret_refs(self, ws: WorkspaceScope, page: PageRequest) -> SecretRefList:
        """The workspace's secret refs by name; cursor-paginated."""
        got = await repository.list_secret_refs(ws.session, page)
        return SecretRefList(items=[to_out(r) for r in got.items], next_cursor=got.next_cursor)

    @get("/{name:str}", opt=guarded(*READ_GUARDS), responses=READS)
    async def get_secret_ref(self, ws: WorkspaceScope, name: NameInPath) -> SecretRefOut:
        """One secret ref; ``has_value`` says whether a ``db://`` value is stored."""
        return to_out(await secret_refs.get_secret_ref(ws.session, name))

    @post(opt=guarded(*WRITE_GUARDS), status_code=201, responses=WRITES)
    async def create_secret_ref(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        data: SecretRefCreate,
        reason: Reason,
    ) -> SecretRefOut:
        """Create a secret ref (422 when it names what the workspace may not reach)."""
        m = ws.mutation(reason)
        scope = scope_of(request)
        return to_out(
            await secret_refs.create_secret_ref(ws.session, m, data.name, data.ref, scope)
        )

    @put("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=WRITES)
    async def replace_secret_ref(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        name: NameInPath,
        data: SecretRefReplace,
        reason: Reason,
    ) -> SecretRefOut:
        """Point a secret ref elsewhere; the version goes up only when the ref changes."""
        m = ws.mutation(reason)
        scope = scope_of(request)
        return to_out(await secret_refs.replace_secret_ref(ws.session, m, name, data.ref, scope))

    @delete("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=READS)
    async def delete_secret_ref(self, ws: WorkspaceScope, name: NameInPath, reason: Reason) -> None:
        """Delete a secret ref no connector uses (409 names the connectors that do)."""
        await secret_refs.delete_secret_ref(ws.session, ws.mutation(reason), name)

    @put("/{name:str}/value", opt=guarded(*WRITE_GUARDS), status_code=204, responses=WRITES)
    async def set_secret_value(
        self,
        request: Request[Any, Any, Any],
        ws: WorkspaceScope,
        name: NameInPath,
        data: SecretValue,
        reason: Reason,
    ) -> None:
        """Store the value of a ``db://`` ref, encrypted; it is never returned (409 otherwise)."""
        resources: Resources = request.app.state.resources
        keys = keyring_from(resources.settings.crypto)
        await secret_refs.set_secret_value(ws.session, ws.mutation(reason), keys, name, data.value)
