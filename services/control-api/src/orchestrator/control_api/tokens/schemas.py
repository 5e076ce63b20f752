"""Shapes of token revocation."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from orchestrator.core.http.fields import NO_NUL


class RevokeRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Revoke one access token issued by this deployment."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=1000, pattern=NO_NUL)]


class RevokeResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The revoked token's id and when it would have expired."""

    jti: str
    expires_at: int
    revoked: bool


class TokenSelf(msgspec.Struct, frozen=True, kw_only=True):
    """The calling operator token: whose it is and what its role may do."""

    subject: str
    role: str
    organization_id: uuid.UUID
    workspace_id: uuid.UUID
    expires_at: int
    permissions: list[str]
