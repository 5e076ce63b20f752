"""Response shapes of the audit area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class AuditRecordOut(msgspec.Struct, frozen=True, kw_only=True):
    """One audit record: who did what to which target, why, and what it looked like before
    and after (views without secret values). ``impersonation`` is ``{operator, reason,
    jti}`` for a change made through an impersonation token."""

    id: str
    """Opaque; also the ``cursor`` of the records older than this one."""
    actor: str
    action: str
    target: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    impersonation: dict[str, Any] | None
    created_at: dt.datetime


class AuditList(msgspec.Struct, frozen=True):
    """A page of the audit log, newest first; pass ``next_cursor`` as ``cursor`` for the
    next (``null`` on the last page)."""

    items: list[AuditRecordOut]
    next_cursor: str | None
