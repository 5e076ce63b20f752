"""Single sign-on at the control-api: ``POST /oauth/token`` exchanges an OpenID provider's ID
token for an operator token (RFC 8693).

The provider here is the part the control-api talks to, its discovery document and key set,
served over HTTP on loopback; the ID tokens are signed with its real keys by the test, so
each rule (signature, issuer, audience, expiry, age) can be broken one at a time. The whole
browser flow against a complete provider is tests/browser/test_oidc_sign_in.py.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api, operator_api
from tests.support.factories import decode_unverified, new_tenant
from tests.support.stack import Service, Stack, start_service, wait_ready
from tests.support.upstream import UpstreamServer, running_upstream

pytestmark = pytest.mark.integration

AUDIENCE = "console-at-the-idp"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
SELF = "/api/v1/tokens/self"


@dataclass
class Provider:
    """The provider's published documents, and the keys the test signs with."""

    server: UpstreamServer
    issuer: str
    key: ECKey

    def publish(self, *keys: ECKey | RSAKey) -> None:
        """Serve the discovery document and these public keys."""
        self.server.respond(
            "/idp/.well-known/openid-configuration",
            body={
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            },
        )
        self.server.respond("/idp/jwks", body=KeySet(list(keys)).as_dict(private=False))

    def id_token(
        self, sub: str, groups: list[str], /, *, key: ECKey | RSAKey | None = None, **claims: Any
    ) -> str:
        """An ID token for ``sub`` with ``groups``, signed by ``key`` (the published one),
        with ``claims`` replacing the usual ones (``None`` removes one)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": uuid.uuid4().hex,
            "groups": groups,
            **claims,
        }
        signer = key or self.key
        alg = "RS256" if isinstance(signer, RSAKey) else "ES256"
        header = {"alg": alg, "kid": signer.kid, "typ": "JWT"}
        return jwt.encode(header, {k: v for k, v in body.items() if v is not None}, signer)


def es256_key(kid: str) -> ECKey:
    """A new P-256 key."""
    return ECKey.generate_key("P-256", {"kid": kid, "alg": "ES256", "use": "sig"})


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The provider's documents on a loopback server of this module's own."""
    with running_upstream() as server:
        published = Provider(server, f"{server.url}/idp", es256_key("idp-1"))
        published.publish(published.key)
        yield published


@pytest.fixture(scope="module")
def exchange_api(
    provider: Provider, service_env: dict[str, str], signing_key: str
) -> Iterator[Service]:
    """A control-api trusting the provider (the session's trusts none)."""
    service = start_service(
        "control-api-exchange",
        "orchestrator.control_api",
        {
            **service_env,
            "ORCH_OIDC_ISSUER": provider.issuer,
            "ORCH_OIDC_AUDIENCE": AUDIENCE,
            "ORCH_OIDC_JWKS_MIN_REFRESH_S": "0",
        },
    )
    try:
        wait_ready(service)
        yield service
    finally:
        service.stop()


@dataclass
class Organization:
    """A fresh organization and its bootstrap admin."""

    name: str
    tenant: BootstrapResult
    admin: Api


@pytest.fixture
async def org(
    http: httpx.AsyncClient,
    stack: Stack,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> Organization:
    """An organization the provider's groups can name."""
    name = f"org-{uuid.uuid4().hex[:8]}"
    tenant = await new_tenant(app_sessions, kek, org=name)
    return Organization(name, tenant, await operator_api(http, stack, tenant))


async def exchange(http: httpx.AsyncClient, api: Service, token: str) -> httpx.Response:
    """``POST /oauth/token`` with a token exchange of ``token``."""
    return await http.post(
        f"{api.url}/oauth/token",
        data={"grant_type": EXCHANGE, "subject_token": token, "subject_token_type": ID_TOKEN},
    )


def refused(response: httpx.Response, detail: str) -> None:
    """A 400 ``invalid_grant`` problem whose detail holds ``detail``."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "urn:orchestrator:problem:invalid-grant"
    assert body["error"] == "invalid_grant"
    assert detail in body["detail"], body["detail"]
    assert "access_token" not in body


def subject() -> str:
    """A person's ``sub`` at the provider, new for each test."""
    return f"person-{uuid.uuid4().hex[:8]}"


async def sso_operators(org: Organization) -> list[dict[str, Any]]:
    """The organization's single sign-on operators."""
    return [op for op in await org.admin.every("/operators") if op["name"].startswith("sso:")]


async def test_an_id_token_becomes_the_operator_token_of_a_new_audited_operator(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    sub = subject()
    answer = await exchange(
        http, exchange_api, provider.id_token(sub, [f"orchestrator:{org.name}:OperatorAdmin"])
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "control:read control:write"
    claims = decode_unverified(body["access_token"])
    assert claims["sub"] == f"sso:{sub}"
    assert claims["role"] == "OperatorAdmin"
    assert claims["aud"] == "orchestrator-control"
    assert claims["tid"] == str(org.tenant.tenant_id)  # homed in the first workspace
    me = await http.get(exchange_api.url + SELF, headers=bearer(body["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["subject"] == f"sso:{sub}"

    # A second sign-in is the same operator, not a second one.
    again = await exchange(
        http, exchange_api, provider.id_token(sub, [f"orchestrator:{org.name}:OperatorAdmin"])
    )
    assert again.status_code == 200, again.text
    [operator] = await sso_operators(org)
    assert operator["name"] == f"sso:{sub}"
    assert operator["role"] == "OperatorAdmin"
    [created] = await org.admin.every("/audit", action="operator.create", actor=f"sso:{sub}")
    assert created["reason"] == "single sign-on"
    assert created["target"] == f"operator:{operator['id']}"
    assert created["after"]["identity_provider"] == provider.issuer
    assert "secret_hash" not in created["after"]


async def test_an_id_token_is_exchanged_once(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    token = provider.id_token(subject(), [f"orchestrator:{org.name}:Support"])
    assert (await exchange(http, exchange_api, token)).status_code == 200
    refused(await exchange(http, exchange_api, token), "already used")


async def test_a_forged_signature_is_refused(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    # Another key under the published key's name: the signature cannot verify.
    forger = es256_key(str(provider.key.kid))
    groups = [f"orchestrator:{org.name}:OperatorAdmin"]
    refused(
        await exchange(http, exchange_api, provider.id_token(subject(), groups, key=forger)),
        "signature does not verify",
    )
    # A payload changed after signing (the groups, say) fails the same way.
    header, payload, signature = provider.id_token(subject(), ["staff"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = groups
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    refused(
        await exchange(http, exchange_api, f"{header}.{tampered}.{signature}"),
        "signature does not verify",
    )
    assert await sso_operators(org) == []


async def test_an_unsigned_token_is_refused(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": AUDIENCE,
        "sub": subject(),
        "iat": now,
        "exp": now + 300,
        "groups": [f"orchestrator:{org.name}:OperatorAdmin"],
    }
    unsigned = f"{part({'alg': 'none', 'kid': provider.key.kid})}.{part(claims)}."
    refused(await exchange(http, exchange_api, unsigned), "algorithm 'none' is refused")


# ``iat`` and ``exp`` here are seconds from the moment the test runs.
@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"aud": "another-app"}, "aud"),
        ({"aud": ["another-app", AUDIENCE]}, "issued to another party"),
        ({"iss": "https://idp.example"}, "iss"),
        ({"exp": -120}, "expired"),
        ({"iat": -3600, "exp": 300}, "not issued just now"),
        ({"iat": 600, "exp": 900}, "issued in the future"),
        ({"sub": None}, "sub"),
        ({"exp": None}, "exp"),
    ],
)
async def test_an_id_token_not_meant_for_us_now_is_refused(
    http: httpx.AsyncClient,
    exchange_api: Service,
    provider: Provider,
    org: Organization,
    claims: dict[str, Any],
    detail: str,
) -> None:
    groups = [f"orchestrator:{org.name}:OperatorAdmin"]
    now = int(time.time())
    timed = {
        name: now + value if name in ("iat", "exp") and value is not None else value
        for name, value in claims.items()
    }
    token = provider.id_token(subject(), groups, **timed)
    refused(await exchange(http, exchange_api, token), detail)
    assert await sso_operators(org) == []


@pytest.mark.parametrize(
    ("groups", "detail"),
    [
        (["orchestrator:no-such-org:OperatorAdmin"], "`no-such-org`, which does not exist here"),
        (["staff", "admins"], "holds no value of the form orchestrator:<organization>:<role>"),
        ([], "holds no value"),
        (["orchestrator:{org}:BreakGlassAdmin"], "holds no value"),
        (["orchestrator:{org}:Support", "orchestrator:other:Support"], "several organizations"),
    ],
)
async def test_groups_that_give_no_single_role_here_are_refused(
    http: httpx.AsyncClient,
    exchange_api: Service,
    provider: Provider,
    org: Organization,
    groups: list[str],
    detail: str,
) -> None:
    named = [group.replace("{org}", org.name) for group in groups]
    refused(await exchange(http, exchange_api, provider.id_token(subject(), named)), detail)
    assert await sso_operators(org) == []


async def test_the_highest_role_wins_and_a_changed_claim_changes_the_role_and_ends_old_tokens(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    sub = subject()
    first = await exchange(
        http,
        exchange_api,
        provider.id_token(
            sub,
            [f"orchestrator:{org.name}:ReadOnlyAuditor", f"orchestrator:{org.name}:Support"],
        ),
    )
    assert first.status_code == 200, first.text
    old_token = first.json()["access_token"]
    assert decode_unverified(old_token)["role"] == "Support"

    # The provider now says ReadOnlyAuditor only: a demotion.
    second = await exchange(
        http,
        exchange_api,
        provider.id_token(sub, [f"orchestrator:{org.name}:ReadOnlyAuditor"]),
    )
    assert second.status_code == 200, second.text
    new_token = second.json()["access_token"]
    assert decode_unverified(new_token)["role"] == "ReadOnlyAuditor"
    assert second.json()["scope"] == "control:read"
    [operator] = await sso_operators(org)
    assert operator["role"] == "ReadOnlyAuditor"
    [changed] = await org.admin.every(
        "/audit", action="operator.change-role", target=f"operator:{operator['id']}"
    )
    assert changed["before"]["role"] == "Support"
    assert changed["after"]["role"] == "ReadOnlyAuditor"
    assert changed["reason"] == "single sign-on"
    # The Support token must not outlive the demotion; the new one works.
    assert (await http.get(exchange_api.url + SELF, headers=bearer(old_token))).status_code == 401
    assert (await http.get(exchange_api.url + SELF, headers=bearer(new_token))).status_code == 200


async def test_a_disabled_sso_operator_gets_no_token(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    sub, groups = subject(), [f"orchestrator:{org.name}:Support"]
    assert (await exchange(http, exchange_api, provider.id_token(sub, groups))).status_code == 200
    [operator] = await sso_operators(org)
    disabled = await org.admin.write("POST", f"/operators/{operator['id']}/disable")
    assert disabled.status_code == 200, disabled.text
    refused(await exchange(http, exchange_api, provider.id_token(sub, groups)), "is disabled")
    enabled = await org.admin.write("POST", f"/operators/{operator['id']}/enable")
    assert enabled.status_code == 200, enabled.text
    assert (await exchange(http, exchange_api, provider.id_token(sub, groups))).status_code == 200


async def test_a_key_the_provider_rotated_in_is_fetched(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    rotated = es256_key(f"idp-{uuid.uuid4().hex[:6]}")
    provider.publish(provider.key, rotated)
    try:
        token = provider.id_token(subject(), [f"orchestrator:{org.name}:Support"], key=rotated)
        answer = await exchange(http, exchange_api, token)
        assert answer.status_code == 200, answer.text
    finally:
        provider.publish(provider.key)


async def test_only_id_tokens_are_exchanged_and_only_where_a_provider_is_trusted(
    http: httpx.AsyncClient,
    exchange_api: Service,
    stack: Stack,
    provider: Provider,
    org: Organization,
) -> None:
    token = provider.id_token(subject(), [f"orchestrator:{org.name}:Support"])
    wrong_type = await http.post(
        f"{exchange_api.url}/oauth/token",
        data={
            "grant_type": EXCHANGE,
            "subject_token": token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
        },
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["error"] == "invalid_request"
    # The session's control-api has no ORCH_OIDC_ISSUER: the grant does not exist there.
    elsewhere = await exchange(http, stack.services["control-api"], token)
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"] == "unsupported_grant_type"
    assert await sso_operators(org) == []


async def test_sso_names_are_reserved_and_sso_operators_have_no_secret_to_rotate(
    http: httpx.AsyncClient, exchange_api: Service, provider: Provider, org: Organization
) -> None:
    sub = subject()
    made = await org.admin.write(
        "POST",
        "/operators",
        {"name": f"sso:{sub}", "role": "Support", "home_workspace_id": str(org.tenant.tenant_id)},
    )
    assert made.status_code == 422, made.text
    groups = [f"orchestrator:{org.name}:Support"]
    assert (await exchange(http, exchange_api, provider.id_token(sub, groups))).status_code == 200
    [operator] = await sso_operators(org)
    rotated = await org.admin.write("POST", f"/operators/{operator['id']}/rotate-secret")
    assert rotated.status_code == 409, rotated.text


def bearer(token: str) -> dict[str, str]:
    """The header of a bearer token."""
    return {"Authorization": f"Bearer {token}"}
