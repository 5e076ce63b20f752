"""``/api/v1/connectors``: list, read, create, replace and delete a workspace's connectors."""

from __future__ import annotations

import msgspec

from orchestrator.control_api.connectors.schemas import (
    ConnectorCreate,
    ConnectorList,
    ConnectorOut,
    ConnectorReplace,
)
from orchestrator.control_api.named import Named, Write, named_controller
from orchestrator.control_api.views import out
from orchestrator.core.configuration import connectors, repository
from orchestrator.core.connectors.models import Connector
from orchestrator.core.db.pages import Page


def to_input(data: ConnectorReplace) -> connectors.ConnectorInput:
    """What the service checks and stores."""
    return msgspec.convert(data, connectors.ConnectorInput, from_attributes=True)


def show(found: tuple[Connector, str | None]) -> ConnectorOut:
    """The API view of a connector and its policy's name."""
    row, policy = found
    return out(row, ConnectorOut, policy=policy)


def show_page(got: Page[tuple[Connector, str | None]]) -> msgspec.Struct:
    """The list view of a page of connectors with their policies' names."""
    return ConnectorList(items=[show(found) for found in got.items], next_cursor=got.next_cursor)


async def _create(w: Write) -> tuple[Connector, str | None]:
    data = to_input(w.data)
    return await connectors.create_connector(w.ws.session, w.m, w.data.name, data), data.policy


async def _replace(w: Write, name: str) -> tuple[Connector, str | None]:
    data = to_input(w.data)
    return await connectors.replace_connector(w.ws.session, w.m, name, data), data.policy


ConnectorController = named_controller(
    "ConnectorController",
    "Connectors of one workspace (``?workspace=``, default the token's).",
    Named(
        "/api/v1/connectors",
        "connector",
        (ConnectorOut, ConnectorList, ConnectorCreate, ConnectorReplace),
        create=(
            _create,
            "Create a connector: its config must satisfy its type, and each secret it needs\n"
            "must map to an existing secret ref (422 listing what does not).",
        ),
        replace=(
            _replace,
            "Replace a connector; the version goes up only when something changes. Dropping\n"
            "an operation a webhook binding starts is a 422 naming it.",
        ),
        get=(connectors.get_connector, "One connector."),
        delete=(
            connectors.delete_connector,
            "Delete a connector (409 while a webhook binding starts jobs of it).",
        ),
        list=(repository.list_connectors, "The workspace's connectors by name; cursor-paginated."),
        show=show,
        show_page=show_page,
    ),
)
