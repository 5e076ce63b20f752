"""``/api/v1/connectors``: list, read, create, replace and delete a workspace's connectors."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put

from orchestrator.control_api.connectors.schemas import (
    ConnectorCreate,
    ConnectorList,
    ConnectorOut,
    ConnectorReplace,
)
from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.scope import (
    READ_GUARDS,
    WRITE_GUARDS,
    Reason,
    WorkspaceScope,
    provide_scope,
)
from orchestrator.core.configuration import connectors, repository
from orchestrator.core.connectors.models import Connector
from orchestrator.core.db.pages import PageRequest
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses

READS = problem_responses(400, 401, 403, 404, 409, 503)
WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)


def to_out(row: Connector, policy: str | None) -> ConnectorOut:
    """The API view of a connector."""
    return ConnectorOut(
        name=row.name,
        type=row.type,
        config=row.config,
        policy=policy,
        secrets=row.secrets,
        enabled=row.enabled,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_input(data: ConnectorReplace) -> connectors.ConnectorInput:
    """What the service checks and stores."""
    return connectors.ConnectorInput(
        type=data.type,
        config=data.config,
        policy=data.policy,
        secrets=dict(data.secrets),
        enabled=data.enabled,
    )


class ConnectorController(Controller):
    """Connectors of one workspace (``?workspace=``, default the token's)."""

    path = "/api/v1/connectors"
    tags = ["connectors"]
    security = [{"bearer": []}]
    dependencies = {"principal": provide_principal, "ws": provide_scope}

    @get(opt=guarded(*READ_GUARDS), responses=READS, dependencies=PAGED)
    async def list_connectors(self, ws: WorkspaceScope, page: PageRequest) -> ConnectorList:
        """The workspace's connectors by name; cursor-paginated."""
        got = await repository.list_connectors(ws.session, page)
        items = [to_out(c, policy) for c, policy in got.items]
        return ConnectorList(items=items, next_cursor=got.next_cursor)

    @get("/{name:str}", opt=guarded(*READ_GUARDS), responses=READS)
    async def get_connector(self, ws: WorkspaceScope, name: NameInPath) -> ConnectorOut:
        """One connector."""
        return to_out(*await connectors.get_connector(ws.session, name))

    @post(opt=guarded(*WRITE_GUARDS), status_code=201, responses=WRITES)
    async def create_connector(
        self, ws: WorkspaceScope, data: ConnectorCreate, reason: Reason
    ) -> ConnectorOut:
        """Create a connector: its config must satisfy its type, and each secret it needs
        must map to an existing secret ref (422 listing what does not)."""
        m = ws.mutation(reason)
        row = await connectors.create_connector(ws.session, m, data.name, to_input(data))
        return to_out(row, data.policy)

    @put("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=WRITES)
    async def replace_connector(
        self, ws: WorkspaceScope, name: NameInPath, data: ConnectorReplace, reason: Reason
    ) -> ConnectorOut:
        """Replace a connector; the version goes up only when something changes. Dropping
        an operation a webhook binding starts is a 422 naming it."""
        m = ws.mutation(reason)
        row = await connectors.replace_connector(ws.session, m, name, to_input(data))
        return to_out(row, data.policy)

    @delete("/{name:str}", opt=guarded(*WRITE_GUARDS), responses=READS)
    async def delete_connector(self, ws: WorkspaceScope, name: NameInPath, reason: Reason) -> None:
        """Delete a connector (409 while a webhook binding starts jobs of it)."""
        await connectors.delete_connector(ws.session, ws.mutation(reason), name)
