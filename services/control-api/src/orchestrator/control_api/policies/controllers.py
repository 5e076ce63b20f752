"""``/api/v1/policies``: list, read, create, replace and delete a workspace's policies."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post, put

from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.policies.schemas import (
    PolicyCreate,
    PolicyList,
    PolicyOut,
    PolicyReplace,
)
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.core.configuration import policies, repository
from orchestrator.core.configuration.models import Policy
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.policy.model import PolicySpec

READS = problem_responses(400, 401, 403, 404, 409, 503)
WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)


def to_out(row: Policy) -> PolicyOut:
    """The API view of a policy."""
    return PolicyOut(
        name=row.name,
        spec=msgspec.convert(row.spec, PolicySpec),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class PolicyController(Controller):
    """Policies of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/policies"
    tags = ["policies"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "ws": provide_scope}

    @get(opt=guarded(*READ_GUARDS), responses=READS, dependencies=PAGED)
    async def list_policies(self, ws: WorkspaceScope, page: PageRequest) -> PolicyList:
        """The workspace's policies by name; cursor-paginated."""
        got = await repository.list_policies(ws.session, page)
        return PolicyList(items=[to_out(p) for p in got.items], next_cursor=got.next_cursor)

    @get("/{name:str}", opt=guarded(*READ_GUARDS), responses=READS)
    async def get_policy(self, ws: WorkspaceScope, name: NameInPath) -> PolicyOut:
        """One policy."""
        return to_out(await policies.get_policy(ws.session, name))

    @post(opt=guarded(*WRITE_GUARDS), status_code=201, responses=WRITES)
    async def create_policy(
        self, ws: WorkspaceScope, data: PolicyCreate, reason: Reason
    ) -> PolicyOut:
        """Create a policy; a spec that is not a valid PolicySpec is a 422 naming the field."""
        row = await policies.create_policy(ws.session, ws.mutation(reason), data.name, data.spec)
        return to_out(row)

    @put("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=WRITES)
    async def replace_policy(
        self, ws: WorkspaceScope, name: NameInPath, data: PolicyReplace, reason: Reason
    ) -> PolicyOut:
        """Replace a policy's spec; the version goes up only when the spec changes."""
        row = await policies.replace_policy(ws.session, ws.mutation(reason), name, data.spec)
        return to_out(row)

    @delete("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=READS)
    async def delete_policy(self, ws: WorkspaceScope, name: NameInPath, reason: Reason) -> None:
        """Delete a policy no connector uses (409 names the connectors that do)."""
        await policies.delete_policy(ws.session, ws.mutation(reason), name)
