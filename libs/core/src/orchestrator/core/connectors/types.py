"""Connector types as data: what ``GET /api/v1/connector-types`` lists."""

from __future__ import annotations

from typing import Any

import msgspec

JsonSchema = dict[str, Any]


def _object_schema() -> JsonSchema:
    return {"type": "object"}


def _any_schema() -> JsonSchema:
    return {}


class OperationType(msgspec.Struct, frozen=True, kw_only=True):
    """One operation of a connector: what it takes, what it returns, whether repeating it is safe."""

    description: str = ""
    payload_schema: JsonSchema = msgspec.field(default_factory=_object_schema)
    """JSON Schema (2020-12) every payload is validated against before any upstream call."""
    output_schema: JsonSchema = msgspec.field(default_factory=_any_schema)
    """JSON Schema of the operation's output (documentation for callers)."""
    idempotent: bool = False
    """Whether the upstream call may be repeated without a second side effect."""


class ConnectorType(msgspec.Struct, frozen=True, kw_only=True):
    """A kind of upstream integration; a connector is a tenant's configured use of one."""

    name: str
    title: str
    description: str
    config_schema: JsonSchema
    """JSON Schema of a connector's ``config``."""
    secret_schema: JsonSchema
    """JSON Schema of the secrets a connector binds (by name) to secret refs."""
    operations: dict[str, OperationType] = msgspec.field(default_factory=dict)
    """The type's fixed operations; empty when each connector declares its own."""
    operations_in_config: bool = False
    """True when operations come from each connector's config (e.g. ``http``)."""
