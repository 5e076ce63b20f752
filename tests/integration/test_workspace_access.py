"""Token → tenant → RLS, end to end through the real services."""

from __future__ import annotations

import httpx

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token
from tests.support.stack import Stack


async def test_exec_token_sees_only_its_own_workspace(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult, other_tenant: BootstrapResult
) -> None:
    control, exec_api = stack.url("control-api"), stack.url("exec-api")
    for own, other in ((tenant, other_tenant), (other_tenant, tenant)):
        token = await fetch_token(http, control, own.exec_client_id, own.exec_client_secret)
        response = await http.get(
            f"{exec_api}/api/v1/workspace", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["id"] == str(own.tenant_id)
        assert response.json()["id"] != str(other.tenant_id)
