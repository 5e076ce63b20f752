"""What the version tests set up: a policy spec by its limit, and a workspace with two
versions of one policy."""

from __future__ import annotations

from typing import Any

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.control_api import Api
from tests.support.stack import Service


def limit(n: int) -> dict[str, Any]:
    """A policy spec allowing ``n`` calls a minute."""
    return {"rate_limit": {"limit": n, "period_s": 60}}


def versions_url(console: Service, tenant: BootstrapResult) -> str:
    """The console's Versions page of the tenant's workspace."""
    return f"{console.url}/w/{tenant.tenant_id}/versions"


async def two_policy_versions(api: Api) -> None:
    """Version 1 makes policy ``shared`` (limit 1), version 2 raises its limit to 2."""
    made = await api.write("POST", "/policies", {"name": "shared", "spec": limit(1)})
    assert made.status_code == 201, made.text
    raised = await api.write("PUT", "/policies/shared", {"spec": limit(2)})
    assert raised.status_code == 200, raised.text
