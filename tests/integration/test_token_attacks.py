"""Every forged, stale or misdirected token gets 401 problem+json (RFC 8725)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.cli.commands import rotate_keys
from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import decode_unverified, fetch_token, forge, now
from tests.support.stack import Stack

Attack = Callable[["Forger"], Awaitable[str]]


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


class Forger:
    """Builds attack tokens from one genuine token and the real signing key."""

    def __init__(
        self,
        genuine: str,
        owner_sessions: async_sessionmaker[AsyncSession],
        kek: KeyEncryptionKey,
        other_tenant: BootstrapResult,
    ) -> None:
        self.genuine = genuine
        self.claims = decode_unverified(genuine)
        self.owner_sessions = owner_sessions
        self.kek = kek
        self.other_tenant = other_tenant

    async def signed(self, **changes: Any) -> str:
        return await forge(self.owner_sessions, self.kek, {**self.claims, **changes})

    async def public_jwk(self) -> dict[str, Any]:
        async with self.owner_sessions() as session:
            row = await keys.active_key(session)
        assert row is not None
        return dict(row.public_jwk)


async def alg_none(f: Forger) -> str:
    header = {
        "alg": "none",
        "typ": "JWT",
        "kid": json.loads(base64.urlsafe_b64decode(f.genuine.split(".")[0] + "=="))["kid"],
    }
    return compact(header, f.claims) + "."


async def hs256_with_public_key(f: Forger) -> str:
    jwk = await f.public_jwk()
    public_pem = ECKey.import_key(jwk).as_pem(private=False)
    header = {"alg": "HS256", "typ": "JWT", "kid": jwk["kid"]}
    signing_input = compact(header, f.claims)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


async def wrong_audience(f: Forger) -> str:
    return await f.signed(aud="orchestrator-control")


async def wrong_issuer(f: Forger) -> str:
    return await f.signed(iss="https://evil.example")


async def expired(f: Forger) -> str:
    return await f.signed(iat=now() - 3600, nbf=now() - 3600, exp=now() - 60)


async def not_yet_valid(f: Forger) -> str:
    return await f.signed(nbf=now() + 600, exp=now() + 1200)


async def tampered_payload(f: Forger) -> str:
    header, _, signature = f.genuine.split(".")
    claims = {**f.claims, "tid": str(f.other_tenant.tenant_id)}
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


async def unknown_kid(f: Forger) -> str:
    stranger = ECKey.generate_key("P-256", parameters={"kid": "not-ours"})
    return jwt.encode({"alg": "ES256", "kid": "not-ours"}, f.claims, stranger, algorithms=["ES256"])


async def missing_jti(f: Forger) -> str:
    claims = {k: v for k, v in f.claims.items() if k != "jti"}
    return await forge(f.owner_sessions, f.kek, claims)


async def missing_iat(f: Forger) -> str:
    claims = {k: v for k, v in f.claims.items() if k != "iat"}
    return await forge(f.owner_sessions, f.kek, claims)


async def lifetime_beyond_the_maximum(f: Forger) -> str:
    # A key holder's long-lived token: one second longer than the longest we mint.
    return await f.signed(iat=now(), nbf=now(), exp=now() + 3600 + 1)


async def critical_header(f: Forger) -> str:
    # ``crit`` listing registered names passes joserfc; we honour no extension at all.
    async with f.owner_sessions() as session:
        row = await keys.active_key(session)
    assert row is not None
    header = {"alg": "ES256", "kid": row.kid, "typ": "JWT", "crit": ["kid"]}
    return jwt.encode(header, f.claims, keys.private_key(row, f.kek), algorithms=["ES256"])


async def exec_token_without_tid(f: Forger) -> str:
    claims = {k: v for k, v in f.claims.items() if k != "tid"}
    return await forge(f.owner_sessions, f.kek, claims)


async def exec_token_without_tid_with_the_platform_role(f: Forger) -> str:
    # A platform operator's claims (ADR 0051) on an exec token: once a 404, not a 401.
    claims = {k: v for k, v in f.claims.items() if k != "tid"}
    return await forge(f.owner_sessions, f.kek, {**claims, "role": "PlatformAdmin"})


ATTACKS: list[Attack] = [
    alg_none,
    hs256_with_public_key,
    wrong_audience,
    wrong_issuer,
    expired,
    not_yet_valid,
    tampered_payload,
    unknown_kid,
    missing_jti,
    missing_iat,
    lifetime_beyond_the_maximum,
    critical_header,
    exec_token_without_tid,
    exec_token_without_tid_with_the_platform_role,
]


@pytest.fixture
async def forger(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    other_tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> Forger:
    genuine = await fetch_token(
        http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
    )
    return Forger(genuine, owner_sessions, kek, other_tenant)


async def call_workspace(http: httpx.AsyncClient, stack: Stack, token: str) -> httpx.Response:
    return await http.get(
        f"{stack.url('exec-api')}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}
    )


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("unauthorized")
    # The reason is never given away.
    assert body["detail"] == "A valid bearer token is required."


async def test_genuine_token_is_accepted(
    stack: Stack, http: httpx.AsyncClient, forger: Forger
) -> None:
    response = await call_workspace(http, stack, forger.genuine)
    assert response.status_code == 200, response.text


async def test_a_token_resigned_with_unchanged_claims_is_accepted(
    stack: Stack, http: httpx.AsyncClient, forger: Forger
) -> None:
    # The forging helper itself must produce valid tokens, or the attacks below prove nothing.
    response = await call_workspace(http, stack, await forger.signed())
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
async def test_attack_token_is_refused(
    stack: Stack, http: httpx.AsyncClient, forger: Forger, attack: Attack
) -> None:
    assert_unauthorized(await call_workspace(http, stack, await attack(forger)))


async def test_revoked_token_is_refused_by_every_service_within_a_second(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, forger: Forger
) -> None:
    control = stack.url("control-api")
    operator = await fetch_token(
        http, control, tenant.control_client_id, tenant.control_client_secret
    )
    assert (await call_workspace(http, stack, forger.genuine)).status_code == 200
    response = await http.post(
        f"{control}/api/v1/tokens/revoke",
        json={"token": forger.genuine, "reason": "leaked in a CI log"},
        headers={"Authorization": f"Bearer {operator}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["revoked"] is True
    # The cached verification must not outlive the revocation.
    deadline = asyncio.get_running_loop().time() + 1.0
    while True:
        status = (await call_workspace(http, stack, forger.genuine)).status_code
        if status == 401 or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert_unauthorized(await call_workspace(http, stack, forger.genuine))


async def test_exec_token_is_refused_by_the_control_api(
    stack: Stack, http: httpx.AsyncClient, forger: Forger
) -> None:
    response = await http.get(
        f"{stack.url('control-api')}/api/v1/workspaces",
        headers={"Authorization": f"Bearer {forger.genuine}"},
    )
    assert_unauthorized(response)


async def test_control_token_is_refused_by_the_exec_api(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    control = stack.url("control-api")
    operator = await fetch_token(
        http, control, tenant.control_client_id, tenant.control_client_secret
    )
    ok = await http.get(
        f"{control}/api/v1/workspaces", headers={"Authorization": f"Bearer {operator}"}
    )
    assert ok.status_code == 200, ok.text
    assert_unauthorized(await call_workspace(http, stack, operator))


async def test_rotated_key_signs_new_tokens_and_old_tokens_still_verify(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    forger: Forger,
    settings: CoreSettings,
) -> None:
    control = stack.url("control-api")
    old_kid = kid_of(forger.genuine)
    new_kid = await rotate_keys(settings)
    assert new_kid != old_kid
    for _ in range(40):
        fresh = await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret)
        if kid_of(fresh) == new_kid:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the control-api did not start signing with the rotated key")
    assert (await call_workspace(http, stack, fresh)).status_code == 200
    assert (await call_workspace(http, stack, forger.genuine)).status_code == 200
    jwks = (await http.get(f"{control}/.well-known/jwks.json")).json()
    assert {old_kid, new_kid} <= {key["kid"] for key in jwks["keys"]}
    assert all("d" not in key for key in jwks["keys"]), "a private key leaked into the JWKS"


async def test_a_revoked_operator_token_is_refused_by_the_control_api(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    control = stack.url("control-api")
    operator = await fetch_token(
        http, control, tenant.control_client_id, tenant.control_client_secret
    )
    headers = {"Authorization": f"Bearer {operator}"}
    assert (await http.get(f"{control}/api/v1/workspaces", headers=headers)).status_code == 200
    revoked = await http.post(
        f"{control}/api/v1/tokens/revoke",
        json={"token": operator, "reason": "operator left the company"},
        headers=headers,
    )
    assert revoked.status_code == 200, revoked.text
    assert_unauthorized(await http.get(f"{control}/api/v1/workspaces", headers=headers))


async def test_an_operator_cannot_revoke_another_organizations_token(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    control = stack.url("control-api")
    operator = await fetch_token(
        http, control, tenant.control_client_id, tenant.control_client_secret
    )
    foreign = await fetch_token(
        http, control, other_tenant.exec_client_id, other_tenant.exec_client_secret
    )
    response = await http.post(
        f"{control}/api/v1/tokens/revoke",
        json={"token": foreign, "reason": "not mine to revoke"},
        headers={"Authorization": f"Bearer {operator}"},
    )
    assert response.status_code == 404, response.text
    assert (await call_workspace(http, stack, foreign)).status_code == 200


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``orchestrator <args>`` in a process of its own, as an operator runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "orchestrator.cli.main",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_revoked_signing_key_ends_its_tokens_on_every_service_even_cached(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, service_env: dict[str, str]
) -> None:
    control = stack.url("control-api")
    exec_token = await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret)
    operator = await fetch_token(
        http, control, tenant.control_client_id, tenant.control_client_secret
    )
    kid = kid_of(exec_token)
    assert kid_of(operator) == kid

    async def control_call() -> httpx.Response:
        return await http.get(
            f"{control}/api/v1/workspaces", headers={"Authorization": f"Bearer {operator}"}
        )

    # Verified once: each service now answers these tokens from its cache.
    assert (await call_workspace(http, stack, exec_token)).status_code == 200
    assert (await control_call()).status_code == 200

    code, out, err = await run_cli(
        service_env, "keys", "revoke", kid, "--reason", "private key found in a CI log"
    )
    assert code == 0, err
    assert f"{kid} revoked" in out
    assert "reason: private key found in a CI log" in out
    assert "now signing with" in out
    assert int(out.split("announced to ")[1].split()[0]) >= 2, out

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1.0
    while loop.time() < deadline:
        statuses = {
            (await call_workspace(http, stack, exec_token)).status_code,
            (await control_call()).status_code,
        }
        if statuses == {401}:
            break
        await asyncio.sleep(0.05)
    assert_unauthorized(await call_workspace(http, stack, exec_token))
    assert_unauthorized(await control_call())

    jwks = (await http.get(f"{control}/.well-known/jwks.json")).json()
    assert kid not in {key["kid"] for key in jwks["keys"]}
    fresh = await fetch_token(http, control, tenant.exec_client_id, tenant.exec_client_secret)
    assert kid_of(fresh) != kid
    assert kid_of(fresh) in {key["kid"] for key in jwks["keys"]}
    assert (await call_workspace(http, stack, fresh)).status_code == 200

    again = await run_cli(service_env, "keys", "revoke", kid, "--reason", "again")
    assert again[0] == 0, again[2]
    assert "already not verifying" in again[1]
    assert "now signing with" not in again[1]
    unknown = await run_cli(service_env, "keys", "revoke", "no-such-kid", "--reason", "typo")
    assert unknown[0] == 1
    assert "no signing key no-such-kid" in unknown[2]
