"""Request and response shapes of the organizations area."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

import msgspec

from orchestrator.control_api.operators.schemas import OperatorName
from orchestrator.control_api.workspaces.schemas import Name, OperationId, WorkspaceOut

DEFAULT_WORKSPACE = "default"


class AdminSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The organization's first operator, an ``OperatorAdmin``."""

    name: OperatorName


class FirstWorkspace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The organization's first workspace; ``environment`` defaults to the deployment's."""

    name: Name
    environment: Literal["dev", "prod"] | None = None


class OrganizationCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new organization; repeating a request with its ``operation_id`` is safe.

    An operator's token names its home workspace, so the admin needs one: without
    ``workspace`` the organization gets one called ``default``.
    """

    name: Name
    admin: AdminSpec
    workspace: FirstWorkspace | None = None
    operation_id: OperationId | None = None


class OrganizationOut(msgspec.Struct, frozen=True, kw_only=True):
    """An organization."""

    id: uuid.UUID
    name: str
    status: Literal["PENDING", "COMMITTED", "FAILED", "DELETING", "DELETED"]
    operation_id: str | None
    created_at: dt.datetime


class IssuedClient(msgspec.Struct, frozen=True, kw_only=True):
    """A client id and the only copy of its secret."""

    client_id: str
    client_secret: str


class OrganizationCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The organization, its first workspace, and its admin's and exec identity's secrets."""

    organization: OrganizationOut
    workspace: WorkspaceOut
    admin: IssuedClient
    exec: IssuedClient


class OrganizationList(msgspec.Struct, frozen=True):
    """A page of the deployment's organizations, oldest first; pass ``next_cursor`` as
    ``cursor`` for the next (``null`` on the last)."""

    items: list[OrganizationOut]
    next_cursor: str | None
