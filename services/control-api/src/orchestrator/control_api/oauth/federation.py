"""Single sign-on: an OpenID provider's ID token exchanged for an operator token (RFC 8693).

``POST /oauth/token`` with ``grant_type=urn:ietf:params:oauth:grant-type:token-exchange``,
``subject_token=<ID token>`` and ``subject_token_type=urn:ietf:params:oauth:token-type:id_token``.
The ID token must be signed by a key of the configured issuer (``ORCH_OIDC_ISSUER``),
addressed to the console (``ORCH_OIDC_AUDIENCE``), unexpired and issued in the last
``ORCH_OIDC_MAX_AGE_S``; it is accepted once. Its role claim names the organization and the
role (``orchestrator.core.auth.sso``). The person is the operator ``sso:<sub>`` of that
organization: created on first sign-in (audited ``operator.create``), its role brought in
line with the claim (audited ``operator.change-role``, its older tokens revoked), refused
while disabled. The token is then issued as the client-credentials grant issues one.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from litestar import Litestar
from litestar.datastructures import State
from loguru import logger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.control_api.credentials import announce, horizon_s
from orchestrator.control_api.oauth.service import operator_grant, sign_grant
from orchestrator.control_api.operators.service import operator_view
from orchestrator.control_api.settings import OidcFederation, get_settings
from orchestrator.core.audit.change import record_change
from orchestrator.core.auth import revocation, sso
from orchestrator.core.auth.issuer import TokenIssuer
from orchestrator.core.auth.oidc import (
    InvalidIdToken,
    OpenIdProvider,
    ProviderUnavailable,
    check_issuer_url,
)
from orchestrator.core.auth.oidc_fetch import json_fetcher
from orchestrator.core.auth.revocation import SubjectRevocation
from orchestrator.core.auth.subjects import operator_subject
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.crypto.secrets import hash_secret, new_client_id, new_client_secret
from orchestrator.core.db.tenant import set_organization, set_tenant
from orchestrator.core.errors import BadRequest, InvalidGrant, ServiceUnavailable
from orchestrator.core.identity.models import Operator
from orchestrator.core.models import WorkspaceStatus
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy import repository

# Token type URIs (RFC 8693 §3), not secrets.
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105
REASON = "single sign-on"
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def invalid_grant(detail: str) -> InvalidGrant:
    """RFC 6749 ``invalid_grant``, saying what the person signing in can act on."""
    return InvalidGrant(detail, error="invalid_grant")


class Federation:
    """The configured provider, its keys kept, and the rules its ID tokens must meet."""

    def __init__(self, settings: OidcFederation, *, allow_http: bool, leeway_s: int) -> None:
        self.settings = settings
        self.leeway_s = leeway_s
        self.audience = settings.audience
        import httpx  # only with single sign-on configured: most deployments never load it

        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_s), follow_redirects=False, trust_env=False
        )
        self.provider = OpenIdProvider(
            check_issuer_url(settings.issuer, allow_http=allow_http),
            json_fetcher(self.http),
            min_refresh_s=settings.jwks_min_refresh_s,
        )

    async def close(self) -> None:
        """Close the HTTP pool."""
        await self.http.aclose()

    async def claims(self, id_token: str) -> dict[str, Any]:
        """The claims of an ID token that verifies and is meant for us (``invalid_grant``
        otherwise; 503 when the provider's keys cannot be read)."""
        try:
            token = await self.provider.verify(id_token)
        except InvalidIdToken as exc:
            raise invalid_grant(f"The ID token is refused: {exc}.") from None
        except ProviderUnavailable as exc:
            logger.warning("single sign-on: the identity provider is unavailable: {}", exc)
            raise ServiceUnavailable("The identity provider cannot be reached.") from None
        claims = token.claims
        now = int(time.time())
        try:
            jwt.JWTClaimsRegistry(
                now=now,
                leeway=self.leeway_s,
                iss={"essential": True, "value": self.provider.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                iat={"essential": True},
                sub={"essential": True},
            ).validate(claims)
        except JoseError as exc:
            raise invalid_grant(f"The ID token is refused: {exc.description or exc}.") from None
        # ``JWTClaimsRegistry`` accepts an ``iat`` in the future; an old one we refuse ourselves.
        issued_at = claims["iat"]
        if issued_at > now + self.leeway_s or now - issued_at > self.settings.max_age_s:
            raise invalid_grant("The ID token is refused: it was not issued just now.")
        # OpenID Core §2: with several audiences, ``azp`` names the party it was issued to.
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self.audience:
            raise invalid_grant("The ID token is refused: it was issued to another party.")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise invalid_grant("The ID token is refused: it has no subject.")
        return claims


def federation_of(state: State) -> Federation | None:
    """The process's federation, if single sign-on is configured."""
    federation = state.get("federation")
    return federation if isinstance(federation, Federation) else None


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the provider's client when ``ORCH_OIDC_ISSUER`` is set; nothing is fetched
    until the first exchange, so the control-api starts while the provider is down."""
    settings = get_settings()
    if not settings.oidc.enabled:
        yield
        return
    federation = Federation(
        settings.oidc,
        allow_http=settings.core.deployment.environment == "dev",
        leeway_s=settings.core.auth.leeway_s,
    )
    app.state.federation = federation
    try:
        yield
    finally:
        await federation.close()


async def exchange(
    resources: Resources,
    federation: Federation,
    *,
    subject_token: str,
    subject_token_type: str | None,
    scope: str | None,
) -> tuple[str, frozenset[str]]:
    """An operator token for the person an ID token names, and its scopes."""
    if subject_token_type != ID_TOKEN_TYPE:
        raise BadRequest(
            f"Only subject_token_type={ID_TOKEN_TYPE} is exchanged.", error="invalid_request"
        )
    claims = await federation.claims(subject_token)
    try:
        assigned = sso.assignment(claims, federation.settings.role_claim)
    except sso.NoAssignment as exc:
        raise invalid_grant(str(exc)) from None
    await _use_once(resources, subject_token, int(claims["exp"]) + federation.leeway_s)
    settings = resources.settings
    environment = settings.deployment.environment
    issuer = TokenIssuer(
        resources.keystore, issuer=settings.auth.issuer, ttl_s=settings.auth.token_ttl_s
    )
    async with resources.sessions() as session, session.begin():
        operator, revoked = await provision(
            session,
            assigned,
            sso.operator_name(claims["sub"]),
            environment=environment,
            horizon_s=horizon_s(resources),
            identity_provider=federation.provider.issuer,
        )
        grant = await operator_grant(session, operator)
        signed = await sign_grant(
            session,
            issuer,
            grant,
            scope=scope,
            environment=environment,
            refused=lambda: invalid_grant("Your home workspace is not live on this deployment."),
        )
    await announce(resources, revoked)
    return signed


async def _use_once(resources: Resources, token: str, until: int) -> None:
    """Refuse an ID token seen before: one sign-in, one operator token. (It lives only in the
    console, but a copy that leaked through a log or a proxy must not mint more.)"""
    digest = hashlib.sha256(token.encode()).hexdigest()
    key = f"{resources.settings.redis.namespace}:oidc:used:{digest}"
    ttl = max(1, until - int(time.time()))
    if not await resources.redis.set(key, b"1", nx=True, ex=ttl):
        raise invalid_grant("The ID token is refused: it was already used; sign in again.")


async def provision(
    session: AsyncSession,
    assigned: sso.Assignment,
    name: str,
    *,
    environment: str,
    horizon_s: int,
    identity_provider: str,
) -> tuple[Operator, SubjectRevocation | None]:
    """The operator ``name`` of the assigned organization with the assigned role: created if
    new, its role changed if the provider's claim changed; refused when disabled."""
    org = await repository.organization_by_name(session, assigned.organization)
    if org is None or org.status is not WorkspaceStatus.COMMITTED:
        raise invalid_grant(
            f"Your identity provider assigns you to organization `{assigned.organization}`, "
            "which does not exist here."
        )
    await set_organization(session, org.id)
    # Operator names have no unique index: two first sign-ins racing would create two rows.
    await session.execute(_ADVISORY_LOCK, {"key": f"sso-operator:{org.id}:{name}"})
    operator = await repository.operator_by_name(session, org.id, name, for_update=True)
    if operator is None:
        return await _create(session, org.id, assigned, name, environment, identity_provider), None
    if operator.disabled_at is not None:
        raise invalid_grant(
            f"Your operator `{name}` is disabled in organization `{assigned.organization}`: "
            "ask one of its admins."
        )
    if operator.role == assigned.role.value:
        return operator, None
    before = operator_view(operator)
    operator.role = assigned.role.value
    await session.flush()
    # Tokens issued under the old role must not outlive the change (a demotion above all).
    revoked = await revocation.revoke_subject(
        session,
        subject=operator_subject(org.id, name),
        horizon_s=horizon_s,
        revoked_by=name,
        reason=f"{REASON}: the identity provider changed the role",
    )
    await _audit(
        session,
        operator,
        action="operator.change-role",
        before=before,
        extra={
            "identity_provider": identity_provider,
            "tokens_revoked_before": revoked.revoked_before.isoformat(),
        },
    )
    return operator, revoked


async def _create(
    session: AsyncSession,
    organization_id: uuid.UUID,
    assigned: sso.Assignment,
    name: str,
    environment: str,
    identity_provider: str,
) -> Operator:
    home = await repository.first_live_workspace(session, organization_id, environment)
    if home is None:
        raise invalid_grant(
            f"Organization `{assigned.organization}` has no live workspace on this deployment."
        )
    operator = Operator(
        id=uuid.uuid4(),
        organization_id=organization_id,
        home_workspace_id=home.id,
        name=name,
        role=assigned.role.value,
        client_id=new_client_id("op"),
        # A secret nobody is shown: this operator signs in through its provider only.
        secret_hash=hash_secret(new_client_secret()),
    )
    session.add(operator)
    await session.flush()
    await session.refresh(operator)
    await _audit(
        session,
        operator,
        action="operator.create",
        before=None,
        extra={"identity_provider": identity_provider},
    )
    return operator


async def _audit(
    session: AsyncSession,
    operator: Operator,
    *,
    action: str,
    before: dict[str, Any] | None,
    extra: dict[str, Any],
) -> None:
    # Audit rows are per workspace (RLS): an operator's own rows live in its home workspace.
    # The actor is the person signing in: the provider vouched for them, nobody else acted.
    await set_tenant(session, operator.home_workspace_id)
    by = Mutation(operator.home_workspace_id, operator.name, REASON)
    after = {**operator_view(operator), **extra}
    await record_change(session, by, action, f"operator:{operator.id}", before, after)
