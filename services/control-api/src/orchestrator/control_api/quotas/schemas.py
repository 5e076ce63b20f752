"""Request and response shapes of the quotas area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

Limit = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class QuotaPut(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The workspace's limits; a missing or null limit is unlimited."""

    rps: Limit | None = None
    concurrency: Limit | None = None
    queue_depth: Limit | None = None


class QuotaOut(msgspec.Struct, frozen=True, kw_only=True):
    """The workspace's limits (null is unlimited); version 0 means never set."""

    rps: int | None
    concurrency: int | None
    queue_depth: int | None
    version: int
    updated_at: dt.datetime | None
