"""Request and response shapes of the configs area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

VersionNumber = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]


class ConfigPut(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A config's next document; equal to the active one, it changes nothing."""

    document: dict[str, Any]


class ConfigActivate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which existing version to make active."""

    version: VersionNumber
    expected_active_version: VersionNumber | None = None
    """Compare-and-set: refuse (409) unless this version is active when the move is made."""


class ConfigOut(msgspec.Struct, frozen=True, kw_only=True):
    """One version of a config."""

    name: str
    version: int
    active_version: int
    latest_version: int
    document: dict[str, Any]
    created_by: str
    created_at: dt.datetime


class ConfigSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A config without its document."""

    name: str
    active_version: int
    latest_version: int
    updated_at: dt.datetime


class ConfigList(msgspec.Struct, frozen=True):
    """A page of the workspace's configs, by name; pass ``next_cursor`` as ``cursor`` for the
    next (``null`` on the last)."""

    items: list[ConfigSummary]
    next_cursor: str | None
