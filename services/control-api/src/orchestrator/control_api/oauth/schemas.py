"""OAuth2 token endpoint shapes (RFC 6749 §4.4, §5.1)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec


class TokenRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Form fields of a client-credentials grant."""

    grant_type: Annotated[str, msgspec.Meta(max_length=64)]
    client_id: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    client_secret: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    scope: Annotated[str, msgspec.Meta(max_length=1024)] | None = None


class TokenResponse(msgspec.Struct, frozen=True, kw_only=True):
    """An issued access token."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str


class JsonWebKeySet(msgspec.Struct, frozen=True):
    """Public verification keys."""

    keys: list[dict[str, Any]]
