"""Request and response shapes of operator management."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

from orchestrator.core.auth.claims import OperatorRole

# Operator names are token subjects (`sub`): printable, no spaces. `(?!\n)` refuses a
# trailing newline under Python's `re.search`, where `$` would otherwise allow one.
OperatorName = Annotated[
    str, msgspec.Meta(min_length=3, max_length=200, pattern=r"^[a-z0-9][a-z0-9:._-]*$(?!\n)")
]


class OperatorCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new operator of the caller's organization, homed in one of its workspaces."""

    name: OperatorName
    role: OperatorRole
    home_workspace_id: uuid.UUID


class OperatorOut(msgspec.Struct, frozen=True, kw_only=True):
    """An operator; its secret is never shown again after it is issued."""

    id: uuid.UUID
    name: str
    role: str
    client_id: str
    home_workspace_id: uuid.UUID
    enabled: bool
    disabled_at: dt.datetime | None
    created_at: dt.datetime


class OperatorList(msgspec.Struct, frozen=True):
    """A page of the caller's organization's operators, oldest first; pass ``next_cursor`` as
    ``cursor`` for the next (``null`` on the last)."""

    items: list[OperatorOut]
    next_cursor: str | None


class OperatorCredentials(msgspec.Struct, frozen=True, kw_only=True):
    """An operator and the only copy of its client secret."""

    operator: OperatorOut
    client_id: str
    client_secret: str
