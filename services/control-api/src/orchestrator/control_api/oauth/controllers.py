"""``POST /oauth/token`` and ``GET /.well-known/jwks.json``."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import unquote

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import NO_STORE
from orchestrator.control_api.oauth.federation import (
    ACCESS_TOKEN_TYPE,
    Federation,
    exchange,
    federation_of,
)
from orchestrator.control_api.oauth.schemas import (
    GRANT_TYPE,
    TOKEN_EXCHANGE,
    JsonWebKeySet,
    TokenRequest,
    TokenResponse,
)
from orchestrator.control_api.oauth.service import invalid_client, issue_token
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.limits import FailureThrottle, client_address
from orchestrator.core.errors import BadRequest, InvalidClient
from orchestrator.core.http.auth import provide_session
from orchestrator.core.http.problems import problem_responses
from orchestrator.core.runtime import Resources

FORM = "application/x-www-form-urlencoded"
CLIENT_BASIC = "client_basic"


def _basic_credentials(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except ValueError:  # bad base64 (binascii.Error), non-ASCII input, or not UTF-8
        raise invalid_client() from None
    if not sep:
        raise invalid_client()
    return unquote(client_id), unquote(secret)


@post(
    "/oauth/token",
    tags=["oauth"],
    summary="Client-credentials grant; token exchange of an ID token (single sign-on)",
    opt={"content_types": (FORM,)},
    dependencies={"session": provide_session},
    status_code=200,
    # The client authenticates with HTTP Basic or with client_id/client_secret form fields.
    security=[{CLIENT_BASIC: []}, {}],
    responses=problem_responses(400, 401, 413, 415, 429, 503),
)
async def token(
    request: Request[Any, Any, Any],
    data: Annotated[TokenRequest, Body(media_type=RequestEncodingType.URL_ENCODED)],
    session: AsyncSession,
) -> Response[TokenResponse]:
    """Exchange client credentials (form fields or HTTP Basic) for a short-lived JWT.

    Failed authentications are counted per client id and address, per address and per
    client id (``ORCH_AUTH_FAILURES_*`` within ``ORCH_AUTH_FAILURE_WINDOW_S``); past a cap,
    attempts are refused with ``429`` and ``Retry-After`` before the secret is checked.

    Where single sign-on is configured (``ORCH_OIDC_ISSUER``), an ID token of that provider
    is exchanged (RFC 8693) for the token of the operator it names (``400 invalid_grant``
    when it does not verify or names no operator here)."""
    federation = federation_of(request.app.state)
    if data.grant_type == TOKEN_EXCHANGE and federation is not None:
        return await _exchange(request, data, federation)
    if data.grant_type != GRANT_TYPE:
        grants = "client_credentials" + (f" and {TOKEN_EXCHANGE}" if federation else "")
        raise BadRequest(f"Only grant_type={grants} is supported.", error="unsupported_grant_type")
    credentials = _basic_credentials(request) or (data.client_id, data.client_secret)
    client_id, client_secret = credentials
    # No client has an empty or NUL-bearing id or secret; PostgreSQL could not even look a NUL up.
    if not client_id or not client_secret or "\x00" in client_id + client_secret:
        raise invalid_client()
    resources: Resources = request.app.state.resources
    auth = resources.settings.auth
    # Checked before the secret, so a refused guess learns nothing (429 either way).
    throttle = FailureThrottle(resources.redis, resources.settings.redis.namespace, auth)
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers, auth.trusted_proxies)
    standing = await throttle.check(client_id, address)
    issuer = TokenIssuer(resources.keystore, issuer=auth.issuer, ttl_s=auth.token_ttl_s)
    try:
        access_token, scopes = await issue_token(
            session,
            issuer,
            client_id=client_id,
            client_secret=client_secret,
            scope=data.scope,
            environment=resources.settings.deployment.environment,
        )
    except InvalidClient:
        await throttle.failed(client_id, address)
        raise
    await throttle.succeeded(client_id, address, standing)
    body = TokenResponse(
        access_token=access_token,
        token_type="Bearer",  # noqa: S106 (a token type, not a password)
        expires_in=issuer.ttl_s,
        scope=" ".join(sorted(scopes)),
    )
    return Response(body, headers=NO_STORE)


async def _exchange(
    request: Request[Any, Any, Any], data: TokenRequest, federation: Federation
) -> Response[TokenResponse]:
    if not data.subject_token:
        raise BadRequest("A token exchange needs a subject_token.", error="invalid_request")
    resources: Resources = request.app.state.resources
    access_token, scopes = await exchange(
        resources,
        federation,
        subject_token=data.subject_token,
        subject_token_type=data.subject_token_type,
        scope=data.scope,
    )
    body = TokenResponse(
        access_token=access_token,
        token_type="Bearer",  # noqa: S106 (a token type, not a password)
        expires_in=resources.settings.auth.token_ttl_s,
        scope=" ".join(sorted(scopes)),
        issued_token_type=ACCESS_TOKEN_TYPE,
    )
    return Response(body, headers=NO_STORE)


@get("/.well-known/jwks.json", tags=["oauth"], summary="Public signing keys", security=[{}])
async def jwks(request: Request[Any, Any, Any]) -> Response[JsonWebKeySet]:
    """The keys that verify tokens: the signing key and retired keys still in their grace."""
    resources: Resources = request.app.state.resources
    return Response(
        JsonWebKeySet(keys=resources.keystore.public_jwks),
        headers={"Cache-Control": "public, max-age=60"},
    )
