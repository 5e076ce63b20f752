"""The ``http`` connector's config as structs, and the JSON Schemas derived from them.

``HttpConfig`` is what a parsed config is (see ``parsing.parse_config``);
``CONFIG_SCHEMA`` and ``SECRET_SCHEMA`` are what ``GET /api/v1/connector-types`` lists.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from orchestrator.core.connectors.http.auth import Auth

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
"""The methods that send the whole payload when an operation has no ``body``."""

Templated = Annotated[str, msgspec.Meta(description="A template: {member} of the payload")]


class HttpOperation(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one operation becomes an HTTP request."""

    method: Method
    path: Templated = ""
    """Appended to ``base_url``; placeholders are percent-encoded as one path segment."""
    query: dict[str, Templated] = msgspec.field(default_factory=dict)
    headers: dict[str, Templated] = msgspec.field(default_factory=dict)
    body: Any | UnsetType = UNSET
    """A JSON template; absent: the whole payload for POST/PUT/PATCH, none otherwise."""
    body_encoding: Literal["json", "form"] = "json"
    payload_schema: dict[str, Any] = msgspec.field(default_factory=lambda: {"type": "object"})
    output_schema: dict[str, Any] = msgspec.field(default_factory=dict)
    idempotent: bool | None = None
    """Default: true for GET, HEAD, OPTIONS, PUT and DELETE."""
    description: str = ""

    @property
    def is_idempotent(self) -> bool:
        """Whether repeating this operation is safe."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method in IDEMPOTENT_METHODS


class HttpConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector of type ``http``."""

    base_url: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
    headers: dict[str, Templated] = msgspec.field(default_factory=dict)
    """Sent with every operation (an operation's own headers win)."""
    auth: Auth | None = None
    operations: Annotated[dict[str, HttpOperation], msgspec.Meta(min_length=1)]


CONFIG_SCHEMA: dict[str, Any] = msgspec.json.schema(HttpConfig)
SECRET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Secrets by the names the config's auth refers to.",
    "additionalProperties": {"type": "string"},
}
