"""A workspace's signing secrets through the control-api: revealed to admins, rotated
with a grace period during which callbacks and forwards carry a signature by each."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.callbacks.delivery import build_request, message_id, signing_keys
from orchestrator.core.callbacks.signing import verify
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.tenancy.service import BootstrapResult
from tests.integration.test_config_api import audit_records
from tests.support.control_api import Api, operator_api
from tests.support.factories import fetch_token, new_auditor
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


async def keys_in_use(
    sessions: async_sessionmaker[AsyncSession], kek: KeyEncryptionKey, tenant_id: uuid.UUID
) -> list[str]:
    """What the worker signs the workspace's messages with now."""
    async with tenant_transaction(sessions, tenant_id) as session:
        return await signing_keys(session, KeyRing(kek))


def signed_by_each(keys: list[str]) -> bool:
    """A message signed as the worker signs it verifies with every one of ``keys``."""
    body = b'{"type":"job.succeeded"}'
    request = build_request("http://127.0.0.1:9/hook", keys, message_id(uuid.uuid4()), 0, body)
    stamp = int(request.headers["webhook-timestamp"])
    return all(verify(key, request.headers, body, now=stamp) for key in keys)


async def listed(api: Api) -> list[dict[str, str | None]]:
    found = await api.call("GET", "/signing-secrets")
    assert found.status_code == 200, found.text
    items: list[dict[str, str | None]] = found.json()["items"]
    return items


async def test_admins_see_the_secret_that_signs_and_each_reveal_is_audited(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    api = await operator_api(http, stack, tenant)
    [secret] = await listed(api)
    key = str(secret["key"])
    assert key.startswith("whsec_")
    assert len(base64.b64decode(key.removeprefix("whsec_"), validate=True)) == 32
    assert secret["expires_at"] is None
    assert await keys_in_use(app_sessions, kek, tenant.tenant_id) == [key]
    [reveal] = await audit_records(owner_sessions, tenant.tenant_id, "signing_secret.")
    assert (reveal.action, reveal.after) == ("signing_secret.reveal", {"ids": [secret["id"]]})

    auditor = await new_auditor(app_sessions, tenant)
    base = stack.url("control-api")
    token = await fetch_token(http, base, auditor.client_id, auditor.client_secret)
    reader = Api(http, base, token)
    assert (await reader.call("GET", "/signing-secrets")).status_code == 403
    assert (await reader.write("POST", "/signing-secrets/rotate")).status_code == 403
    assert len(await audit_records(owner_sessions, tenant.tenant_id, "signing_secret.")) == 1


async def test_a_rotation_keeps_the_replaced_secret_signing_for_its_grace_period(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    api = await operator_api(http, stack, tenant)
    [first] = await listed(api)
    rotated = await api.write("POST", "/signing-secrets/rotate", {"grace_period_s": 3600})
    assert rotated.status_code == 201, rotated.text
    newest, old = rotated.json()["items"]
    assert old["id"] == first["id"]
    assert newest["key"] != first["key"]
    assert newest["expires_at"] is None
    ends = dt.datetime.fromisoformat(old["expires_at"])
    assert abs((ends - dt.datetime.now(dt.UTC)).total_seconds() - 3600) < 60
    keys = await keys_in_use(app_sessions, kek, tenant.tenant_id)
    assert keys == [newest["key"], first["key"]]
    assert signed_by_each(keys)

    # A second rotation never extends an older secret's grace period.
    again = await api.write("POST", "/signing-secrets/rotate", {"grace_period_s": 7200})
    latest, middle, oldest = again.json()["items"]
    assert (middle["id"], oldest["id"]) == (newest["id"], first["id"])
    assert dt.datetime.fromisoformat(oldest["expires_at"]) == ends
    assert dt.datetime.fromisoformat(middle["expires_at"]) > ends

    # Grace 0 (a leaked secret): only the new one signs from now on.
    now = await api.write("POST", "/signing-secrets/rotate", {"grace_period_s": 0})
    [only] = now.json()["items"]
    assert only["id"] not in {latest["id"], middle["id"], oldest["id"]}
    assert await listed(api) == [only]
    assert await keys_in_use(app_sessions, kek, tenant.tenant_id) == [only["key"]]

    records = await audit_records(owner_sessions, tenant.tenant_id, "signing_secret.rotate")
    assert [r.after["grace_period_s"] for r in records if r.after] == [3600, 7200, 0]
    assert records[0].before == {"ids": [first["id"]]}


async def test_a_rotation_without_a_body_uses_a_day_and_bad_grace_periods_are_422(
    stack: Stack, http: httpx.AsyncClient, tenant: BootstrapResult
) -> None:
    api = await operator_api(http, stack, tenant)
    for body in ({"grace_period_s": -1}, {"grace_period_s": 8 * 86400}, {"grace": 5}):
        refused = await api.write("POST", "/signing-secrets/rotate", body)
        assert refused.status_code in (400, 422), (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert len(await listed(api)) == 1  # nothing rotated
    rotated = await api.write("POST", "/signing-secrets/rotate")
    assert rotated.status_code == 201, rotated.text
    _, old = rotated.json()["items"]
    ends = dt.datetime.fromisoformat(old["expires_at"])
    assert abs((ends - dt.datetime.now(dt.UTC)).total_seconds() - 86400) < 60
