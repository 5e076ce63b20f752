"""``GET /api/v1/tokens/self`` (who a token is, what its role may do) and
``DELETE /api/v1/tokens/self`` (any operator revokes its own token: signing out)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack

SELF = "/api/v1/tokens/self"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_admin_token_names_itself_and_every_right_of_its_role(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> None:
    base = stack.url("control-api")
    token = await fetch_token(http, base, tenant.control_client_id, tenant.control_client_secret)
    me = await http.get(base + SELF, headers=bearer(token))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["role"] == "OperatorAdmin"
    assert body["workspace_id"] == str(tenant.tenant_id)
    assert body["subject"].startswith("op:")
    assert body["permissions"] == [
        "audit:read",
        "channel:invite",
        "configuration:write",
        "identity:write",
        "impersonation:start",
        "jobs:write",
        "tokens:revoke",
    ]


async def test_an_auditor_may_read_the_audit_log_and_revoke_only_its_own_token(
    http: httpx.AsyncClient,
    stack: Stack,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
) -> None:
    base = stack.url("control-api")
    auditor = await new_auditor(app_sessions, tenant)
    token = await fetch_token(http, base, auditor.client_id, auditor.client_secret)
    me = (await http.get(base + SELF, headers=bearer(token))).json()
    assert me["permissions"] == ["audit:read"]
    # Revoking another token needs a revoker's role; its own token it may always end.
    other = await fetch_token(http, base, tenant.control_client_id, tenant.control_client_secret)
    refused = await http.post(
        f"{base}/api/v1/tokens/revoke",
        json={"token": other, "reason": "not mine"},
        headers=bearer(token),
    )
    assert refused.status_code == 403
    ended = await http.delete(base + SELF, params={"reason": "signed out"}, headers=bearer(token))
    assert ended.status_code == 200, ended.text
    assert ended.json()["revoked"] is True
    assert (await http.get(base + SELF, headers=bearer(token))).status_code == 401
    assert (await http.get(base + SELF, headers=bearer(other))).status_code == 200
    admin = bearer(other)
    records = await http.get(
        f"{base}/api/v1/audit", params={"action": "token.revoke"}, headers=admin
    )
    assert [r["reason"] for r in records.json()["items"]] == ["signed out"]
