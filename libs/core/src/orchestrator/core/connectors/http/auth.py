"""The ``http`` type's auth schemes (bearer, API key, basic) and the header each sends.

The config names secrets, never holds them: ``auth_header`` reads the values the
caller resolved (``{name: value}``) when a request is rendered.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Annotated

import msgspec

from orchestrator.core.connectors.http.headers import HEADER_RULE, unsendable
from orchestrator.core.connectors.validation import escape_pointer_token

SecretName = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class BearerAuth(
    msgspec.Struct, frozen=True, tag="bearer", tag_field="type", forbid_unknown_fields=True
):
    """``Authorization: Bearer <secret>``."""

    secret: SecretName


class ApiKeyAuth(
    msgspec.Struct, frozen=True, tag="api_key", tag_field="type", forbid_unknown_fields=True
):
    """``<header>: <prefix><secret>``."""

    secret: SecretName
    header: Annotated[str, msgspec.Meta(min_length=1)] = "X-Api-Key"
    prefix: str = ""


class BasicAuth(
    msgspec.Struct, frozen=True, tag="basic", tag_field="type", forbid_unknown_fields=True
):
    """``Authorization: Basic`` from a literal or secret user name and a secret password."""

    password_secret: SecretName
    username: str = ""
    username_secret: SecretName | None = None


Auth = BearerAuth | ApiKeyAuth | BasicAuth


def auth_header(
    auth: Auth, secrets: Mapping[str, str], errors: list[dict[str, str]]
) -> tuple[str, str] | None:
    """The ``(name, value)`` header ``auth`` sends; None, with ``errors`` added, on a problem."""

    def secret(name: str) -> str | None:
        value = secrets.get(name)
        key = f"/secrets/{escape_pointer_token(name)}"
        if value is None:
            errors.append({"key": key, "message": "is not set for this connector"})
            return None
        if unsendable(value):
            errors.append({"key": key, "message": HEADER_RULE})
            return None
        return value

    if isinstance(auth, BearerAuth):
        token = secret(auth.secret)
        return None if token is None else ("Authorization", f"Bearer {token}")
    if isinstance(auth, ApiKeyAuth):
        key = secret(auth.secret)
        return None if key is None else (auth.header, f"{auth.prefix}{key}")
    password = secret(auth.password_secret)
    username = secret(auth.username_secret) if auth.username_secret else auth.username
    if password is None or username is None:
        return None
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return "Authorization", f"Basic {token}"
