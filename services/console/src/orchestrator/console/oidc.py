"""Single sign-on: the console is an OpenID Connect relying party (authorization code flow
with PKCE, ``state`` and ``nonce``).

``GET /sign-in/oidc`` keeps a new flow (state, nonce, PKCE verifier, where to go next) in
Redis for ``FLOW_TTL_S``, keyed by a digest of a random value given to the browser in an
``HttpOnly``, ``SameSite=Lax`` cookie, and sends the browser to the provider.
``GET /sign-in/oidc/callback`` takes that flow back once, checks ``state``, redeems the
code at the provider's token endpoint, verifies the ID token (signature, issuer, audience,
expiry, ``nonce``), and trades it at the control-api (RFC 8693 token exchange) for the
operator's token; the session then starts as a credential sign-in's does. The protocol's
messages are built and checked by authlib; the HTTP is the console's own httpx client.

``Lax``, not ``Strict``: the flow cookie must come back with the provider's redirect to the
callback, a navigation another site started, which never carries a ``Strict`` cookie.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc.errors import JoseError
from litestar import Litestar, Request, Response, get
from litestar.datastructures import Cookie
from litestar.response import Redirect
from loguru import logger
from redis.asyncio import Redis

from orchestrator.console.backend import Backend
from orchestrator.console.errors import ApiProblem, ApiUnavailable, SignInRequired
from orchestrator.console.security import expired_cookie
from orchestrator.console.settings import ConsoleOidc, Settings
from orchestrator.console.signin import open_session, safe_next, sign_in_page, start_session
from orchestrator.core.auth.oidc import (
    InvalidIdToken,
    OpenIdProvider,
    ProviderMetadata,
    ProviderUnavailable,
    check_issuer_url,
)
from orchestrator.core.auth.oidc_fetch import json_fetcher
from orchestrator.core.observability.redaction import remember_secrets

START_PATH = "/sign-in/oidc"
CALLBACK_PATH = "/sign-in/oidc/callback"
FLOW_TTL_S = 600
"""How long a person may take at the provider's pages."""
LEEWAY_S = 60
PROVIDER_ERRORS = {
    "access_denied": "The sign-in was cancelled or refused at your identity provider.",
    "login_required": "Your identity provider needs you to sign in there first.",
    "consent_required": "Your identity provider needs your consent first.",
}


class Flow(msgspec.Struct, frozen=True, kw_only=True):
    """One sign-in under way at the provider."""

    state: str
    nonce: str
    verifier: str
    next: str


class SignInFailed(Exception):
    """The single sign-on could not finish; the message is for the sign-in page."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def flow_cookie_name(secure: bool) -> str:
    """The cookie binding a flow to the browser that started it."""
    return "__Host-orch_console_oidc" if secure else "orch_console_oidc"


class RelyingParty:
    """The console at its OpenID provider: flows in Redis, discovery and keys cached."""

    def __init__(self, settings: Settings, redis: Redis) -> None:
        oidc = settings.oidc
        self.oidc = oidc
        self.secure = settings.secure_cookies
        base = oidc.public_url or f"http://{settings.http.host}:{settings.http.port}"
        self.redirect_uri = base.rstrip("/") + CALLBACK_PATH
        self.redis = redis
        self.prefix = f"{settings.redis.namespace}:console:oidc:"
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.console.api_timeout_s),
            follow_redirects=False,
            trust_env=False,
        )
        issuer = check_issuer_url(oidc.issuer, allow_http=settings.deployment.environment == "dev")
        self.provider = OpenIdProvider(issuer, json_fetcher(self.http))

    async def close(self) -> None:
        """Close the HTTP pool."""
        await self.http.aclose()

    async def begin(self, next_path: str) -> tuple[str, str]:
        """A new flow: the provider's authorization URL, and the cookie value that binds
        the flow to this browser."""
        metadata = await self.provider.metadata()
        flow = Flow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),  # 64 characters: RFC 7636 §4.1 asks 43-128
            next=next_path,
        )
        binding = secrets.token_urlsafe(32)
        await self.redis.set(self._key(binding), msgspec.json.encode(flow), ex=FLOW_TTL_S)
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            client_id=self.oidc.client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=self.oidc.scopes,
            state=flow.state,
            nonce=flow.nonce,
            code_challenge=create_s256_code_challenge(flow.verifier),
            code_challenge_method="S256",
        )
        return str(url), binding

    async def take(self, binding: str) -> Flow | None:
        """The flow a cookie names, forgotten at once: a callback is honoured once."""
        raw = await self.redis.getdel(self._key(binding))
        return None if raw is None else msgspec.json.decode(raw, type=Flow)

    async def redeem(self, code: str, flow: Flow) -> str:
        """The verified ID token the authorization code is worth."""
        metadata = await self.provider.metadata()
        tokens = await self._token_request(metadata, code, flow)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("Your identity provider sent no ID token.")
        try:
            verified = await self.provider.verify(id_token)
            claims = CodeIDToken(
                verified.claims,
                verified.header,
                {
                    "iss": {"essential": True, "value": self.provider.issuer},
                    "aud": {"essential": True, "value": self.oidc.client_id},
                },
                {
                    "nonce": flow.nonce,
                    "client_id": self.oidc.client_id,
                    "access_token": tokens.get("access_token"),
                },
            )
            claims.validate(leeway=LEEWAY_S)
        except (InvalidIdToken, JoseError) as exc:
            logger.warning("single sign-on: the ID token is refused: {}", exc)
            raise SignInFailed("Your identity provider's answer did not verify.") from None
        return id_token

    async def _token_request(
        self, metadata: ProviderMetadata, code: str, flow: Flow
    ) -> dict[str, Any]:
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=self.redirect_uri,
            code_verifier=flow.verifier,
        )
        methods = metadata.token_endpoint_auth_methods_supported
        method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        auth = ClientAuth(self.oidc.client_id, self.oidc.client_secret, method)
        url, headers, body = auth.prepare("POST", metadata.token_endpoint, headers, body)
        try:
            response = await self.http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"token endpoint: {type(exc).__name__}") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ProviderUnavailable(f"token endpoint answered {response.status_code}")
        if response.status_code != 200:
            # e.g. invalid_grant: a code used twice or expired; the person starts again.
            logger.warning("single sign-on: the token endpoint answered {}", answer.get("error"))
            raise SignInFailed("Your identity provider refused the sign-in: try again.")
        return answer

    def cookie(self, binding: str) -> Cookie:
        """The flow cookie: no script reads it, and it survives the provider's redirect back."""
        return Cookie(
            key=flow_cookie_name(self.secure),
            value=binding,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
            max_age=FLOW_TTL_S,
        )

    def _key(self, binding: str) -> str:
        # A digest, as for sessions: a Redis dump holds no cookie value a browser could send.
        return self.prefix + hashlib.sha256(binding.encode()).hexdigest()


def relying_party(request: Request[Any, Any, Any]) -> RelyingParty | None:
    """The console's relying party, if single sign-on is configured."""
    party = request.app.state.get("oidc")
    return party if isinstance(party, RelyingParty) else None


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """The relying party, when ``ORCH_CONSOLE_OIDC_ISSUER`` is set (after the console's own
    lifespan: it uses its Redis). Nothing is fetched until someone signs in."""
    settings: Settings = app.state.settings
    oidc: ConsoleOidc = settings.oidc
    if not oidc.enabled:
        yield
        return
    remember_secrets([oidc.client_secret])
    party = RelyingParty(settings, app.state.redis)
    app.state.oidc = party
    try:
        yield
    finally:
        await party.close()


@get(START_PATH)
async def sso_start(request: Request[Any, Any, Any], next: str = "/") -> Response[Any]:
    """Send the browser to the identity provider, a new flow bound to it."""
    settings: Settings = request.app.state.settings
    next_path = safe_next(next)
    party = relying_party(request)
    if party is None:
        return Redirect("/sign-in", status_code=303)
    try:
        url, binding = await party.begin(next_path)
    except ProviderUnavailable as exc:
        logger.warning("single sign-on: the identity provider is unavailable: {}", exc)
        return sign_in_page(
            settings,
            next_path=next_path,
            error="Your identity provider cannot be reached right now: try again shortly.",
            status=503,
        )
    response = Redirect(url, status_code=303)
    response.cookies.append(party.cookie(binding))
    return response


@get(CALLBACK_PATH)
async def sso_callback(request: Request[Any, Any, Any]) -> Response[Any]:
    """Finish the sign-in the provider sent the browser back from (``code`` and ``state``,
    or ``error``); any failure is shown on the sign-in page, never as an error page."""
    # Read by hand: ``state`` is a name Litestar keeps for the app's state.
    query = request.query_params
    code, state, error = query.get("code", ""), query.get("state", ""), query.get("error", "")
    settings: Settings = request.app.state.settings
    party = relying_party(request)
    if party is None:
        return Redirect("/sign-in", status_code=303)
    binding = request.cookies.get(flow_cookie_name(party.secure), "")
    flow = await party.take(binding) if binding else None
    next_path = flow.next if flow is not None else "/"
    try:
        if flow is None or not secrets.compare_digest(flow.state, state):
            raise SignInFailed(
                "This sign-in expired or was started in another browser or tab: try again.", 400
            )
        if error:
            raise SignInFailed(
                PROVIDER_ERRORS.get(error, "Your identity provider refused the sign-in.")
            )
        if not code:
            raise SignInFailed("Your identity provider sent no sign-in code.", 400)
        response = await _finish(request, party, code, flow)
    except SignInFailed as failed:
        response = sign_in_page(
            settings, next_path=next_path, error=failed.message, status=failed.status
        )
    except ProviderUnavailable as exc:
        logger.warning("single sign-on: the identity provider is unavailable: {}", exc)
        response = sign_in_page(
            settings,
            next_path=next_path,
            error="Your identity provider cannot be reached right now: try again shortly.",
            status=503,
        )
    except ApiUnavailable as exc:
        response = sign_in_page(settings, next_path=next_path, error=str(exc), status=503)
    response.cookies.append(expired_cookie(flow_cookie_name(party.secure), secure=party.secure))
    return response


async def _finish(
    request: Request[Any, Any, Any], party: RelyingParty, code: str, flow: Flow
) -> Response[Any]:
    id_token = await party.redeem(code, flow)
    backend: Backend = request.app.state.backend
    try:
        grant = await backend.exchange_id_token(id_token)
        session = await open_session(backend, grant.access_token)
    except ApiProblem as problem:
        # The control-api's detail is written for the person: no organization, disabled...
        status = 401 if problem.status in (400, 401) else problem.status
        raise SignInFailed(problem.detail or "You may not sign in here.", status) from None
    except SignInRequired:
        raise SignInFailed("This operator may not sign in.") from None
    return await start_session(request, session, flow.next, via_page=True)
