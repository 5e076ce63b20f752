"""OAuth2 token endpoint shapes (RFC 6749 §4.4, §5.1)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

GRANT_TYPE = "client_credentials"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 (a grant URI)


class TokenRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Form fields of a client-credentials grant, or of a token exchange (RFC 8693 §2.1) of an
    OpenID provider's ID token when single sign-on is configured; unknown fields are ignored
    (RFC 6749 §3.2)."""

    # Any string parses, so another grant answers RFC 6749's `unsupported_grant_type`
    # rather than a validation error; the OpenAPI schema (Litestar merges the `extra`
    # of `extra_json_schema` into it) still documents the grants we take.
    grant_type: Annotated[
        str,
        msgspec.Meta(
            max_length=64, extra_json_schema={"extra": {"enum": [GRANT_TYPE, TOKEN_EXCHANGE]}}
        ),
    ]
    client_id: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    client_secret: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    scope: Annotated[str, msgspec.Meta(max_length=1024)] | None = None
    subject_token: Annotated[str, msgspec.Meta(max_length=16384)] | None = None
    """Token exchange: the ID token."""
    subject_token_type: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    """Token exchange: ``urn:ietf:params:oauth:token-type:id_token``."""


class TokenResponse(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An issued access token."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    issued_token_type: str | None = None
    """Token exchange only (RFC 8693 §2.2.1): ``urn:ietf:params:oauth:token-type:access_token``."""


class JsonWebKeySet(msgspec.Struct, frozen=True):
    """Public verification keys."""

    keys: list[dict[str, Any]]
