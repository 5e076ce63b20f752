"""``GET /api/v1/connector-types``: the declarative connector types of this deployment."""

from __future__ import annotations

import msgspec
from litestar import get

from orchestrator.control_api.scope import READ_GUARDS
from orchestrator.core.connectors.registry import connector_types
from orchestrator.core.connectors.types import ConnectorType
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses


class ConnectorTypeList(msgspec.Struct, frozen=True):
    """Every connector type, by name."""

    items: list[ConnectorType]


@get(
    "/api/v1/connector-types",
    tags=["connector-types"],
    opt=guarded(*READ_GUARDS),
    dependencies={"principal": provide_principal},
    security=[{"bearer": []}],
    responses=problem_responses(401, 403, 503),
)
async def list_connector_types() -> ConnectorTypeList:
    """Each type's ``config_schema``, ``secret_schema`` and operations (JSON Schema)."""
    types = connector_types()
    return ConnectorTypeList(items=[types[name] for name in sorted(types)])
