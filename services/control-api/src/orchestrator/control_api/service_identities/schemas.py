"""Request and response shapes of service identity management."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

# Names are token subjects (`sub`): printable, no spaces, like operator names. `(?!\n)`
# refuses a trailing newline under Python's `re.search`, where `$` would allow one.
ServiceIdentityName = Annotated[
    str, msgspec.Meta(min_length=3, max_length=200, pattern=r"^[a-z0-9][a-z0-9:._-]*$(?!\n)")
]


class ServiceIdentityCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new service identity of the workspace and the exec scopes its tokens may carry."""

    name: ServiceIdentityName
    # Any strings to the schema (OpenAPI would not carry constraints on the items):
    # the service checks each is an exec scope, else 422 naming the ones that exist.
    scopes: Annotated[list[str], msgspec.Meta(max_length=16)]


class ServiceIdentityOut(msgspec.Struct, frozen=True, kw_only=True):
    """A service identity; its secret is never shown again after it is issued."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    client_id: str
    scopes: list[str]
    enabled: bool
    created_at: dt.datetime
    disabled_at: dt.datetime | None


class ServiceIdentityList(msgspec.Struct, frozen=True):
    """A page of the workspace's service identities, by name; pass ``next_cursor`` as
    ``cursor`` for the next (``null`` on the last)."""

    items: list[ServiceIdentityOut]
    next_cursor: str | None


class ServiceIdentityCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """A service identity and the only copy of its client secret."""

    service_identity: ServiceIdentityOut
    client_id: str
    client_secret: str
