"""``GET /api/v1/connector-types``: the declarative connector types of this deployment."""

from __future__ import annotations

import msgspec
from litestar import get

from orchestrator.control_api.routes import ANY_TOKEN, READ, bearer
from orchestrator.core.connectors.registry import connector_types
from orchestrator.core.connectors.types import ConnectorType


class ConnectorTypeList(msgspec.Struct, frozen=True):
    """Every connector type, by name."""

    items: list[ConnectorType]


@get("/api/v1/connector-types", **bearer(["connector-types"], READ), responses=ANY_TOKEN)
async def list_connector_types() -> ConnectorTypeList:
    """Each type's ``config_schema``, ``secret_schema`` and operations (JSON Schema)."""
    types = connector_types()
    return ConnectorTypeList(items=[types[name] for name in sorted(types)])
