"""Request and response shapes of the connectors area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from orchestrator.control_api.fields import Name
from orchestrator.control_api.views import page_schema

TypeName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        extra_json_schema={"description": "A type of GET /api/v1/connector-types."},
    ),
]
Config = Annotated[
    dict[str, Any],
    msgspec.Meta(
        extra_json_schema={"description": "Checked against the type's `config_schema` (422)."}
    ),
]
Secrets = Annotated[
    dict[str, str],
    msgspec.Meta(
        extra_json_schema={
            "description": "Each secret the type needs (its `secret_schema`) → a secret ref's "
            "name; a missing one is a 422."
        }
    ),
]


class ConnectorReplace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector's type, settings, policy (by name; null is the default policy) and secrets."""

    type: TypeName
    config: Config = msgspec.field(default_factory=dict)
    policy: Name | None = None
    secrets: Secrets = msgspec.field(default_factory=dict)
    enabled: bool = True


class ConnectorCreate(ConnectorReplace, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new connector."""

    name: Name


class ConnectorOut(msgspec.Struct, frozen=True, kw_only=True):
    """A connector."""

    name: str
    type: str
    config: dict[str, Any]
    policy: str | None
    secrets: dict[str, str]
    enabled: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


ConnectorList = page_schema(
    ConnectorOut,
    "A page of the workspace's connectors, by name",
)
