"""Shapes of impersonation: start (a short-lived exec token) and stop (its revocation)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

MIN_TTL_S, DEFAULT_TTL_S, MAX_TTL_S = 60, 900, 3600
ExecScope = Literal["execute", "jobs:read", "jobs:write", "events:read"]
# Without `scopes`, an impersonation can look but not act.
READ_SCOPES: tuple[ExecScope, ...] = ("events:read", "jobs:read")


class ImpersonationStart(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Act in one workspace of your organization, as its exec client would, for a while."""

    workspace_id: uuid.UUID
    ttl_s: Annotated[int, msgspec.Meta(ge=MIN_TTL_S, le=MAX_TTL_S)] = DEFAULT_TTL_S
    scopes: Annotated[list[ExecScope], msgspec.Meta(min_length=1, max_length=4)] | None = None


class ImpersonationToken(msgspec.Struct, frozen=True, kw_only=True):
    """An exec-audience token carrying ``act`` (RFC 8693) and the reason; shown once."""

    access_token: str
    token_type: str
    expires_in: int
    expires_at: int
    jti: str
    scope: str
    workspace_id: uuid.UUID


class ImpersonationStopped(msgspec.Struct, frozen=True, kw_only=True):
    """The stopped impersonation; ``stopped`` is false when it had already expired."""

    jti: str
    expires_at: int
    stopped: bool
