"""Request and response shapes of the configs area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class ConfigPut(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A config's next document; equal to the active one, it changes nothing."""

    document: dict[str, Any]


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
    """The workspace's configs, by name."""

    items: list[ConfigSummary]
