"""Secret refs: write-only values sealed at rest, resolution, and KEK rotation."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.cli import commands
from orchestrator.cli.infra import Infra
from orchestrator.core.auth import keys
from orchestrator.core.callbacks.models import WorkspaceSecret
from orchestrator.core.configuration import repository, secret_refs
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.connectors.secrets import connector_secrets
from orchestrator.core.crypto import envelope
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.errors import SecretUnresolved
from orchestrator.core.models import AuditLog, SecretRef, SigningKey
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.resolve import resolve_secrets
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support import databases
from tests.support.control_api import operator_api
from tests.support.factories import new_tenant
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


async def resolve(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    kek: KeyEncryptionKey | KeyRing,
    names: list[str],
    environ: dict[str, str] | None = None,
) -> dict[str, str]:
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        return await resolve_secrets(session, kek, names, environ=environ or {})


async def test_a_secret_value_is_write_only_sealed_and_never_logged(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    owner_sessions: async_sessionmaker[AsyncSession],
) -> None:
    api = await operator_api(http, stack, tenant)
    value = f"sk_live_{secrets.token_hex(16)}"
    created = await api.write("POST", "/secret-refs", {"name": "stripe", "ref": "db://"})
    assert created.status_code == 201, created.text
    assert created.json()["has_value"] is False
    put = await api.write("PUT", "/secret-refs/stripe/value", {"value": value})
    assert put.status_code == 204, put.text
    assert put.content == b""

    seen = [
        await api.call("GET", "/secret-refs/stripe"),
        await api.call("GET", "/secret-refs"),
        await api.call("GET", "/bundles/export"),
    ]
    assert seen[0].json()["has_value"] is True
    assert seen[0].json()["version"] == 2
    for response in seen:
        assert response.status_code == 200
        assert value not in response.text
    assert value not in stack.services["control-api"].log()

    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        mine = SecretRef.tenant_id == tenant.tenant_id
        row = await session.scalar(select(SecretRef).where(mine, SecretRef.name == "stripe"))
        records = list(
            await session.scalars(
                select(AuditLog)
                .where(AuditLog.tenant_id == tenant.tenant_id)
                .where(AuditLog.target == "secret_ref:stripe")
                .order_by(AuditLog.id)
            )
        )
    assert row is not None
    assert row.sealed_value is not None
    assert value not in json.dumps(row.sealed_value)
    assert [r.action for r in records] == ["secret_ref.create", "secret_ref.set_value"]
    assert records[1].after is not None
    assert records[1].after["has_value"] is True
    for record in records:
        assert value not in json.dumps([record.before, record.after])


async def test_only_a_db_ref_takes_a_value_and_leaving_db_drops_it(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
) -> None:
    api = await operator_api(http, stack, tenant)
    await api.write(
        "POST", "/secret-refs", {"name": "from-env", "ref": "env://ORCH_TENANT_SECRET_API_KEY"}
    )
    refused = await api.write("PUT", "/secret-refs/from-env/value", {"value": "x"})
    assert refused.status_code == 409, refused.text
    assert (await api.write("PUT", "/secret-refs/none/value", {"value": "x"})).status_code == 404

    await api.write("POST", "/secret-refs", {"name": "held", "ref": "db://"})
    await api.write("PUT", "/secret-refs/held/value", {"value": "x"})
    moved = await api.write("PUT", "/secret-refs/held", {"ref": "vault://kv/app#token"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["scheme"], moved.json()["has_value"]) == ("vault", False)
    bad = await api.write("POST", "/secret-refs", {"name": "bad", "ref": "file:///etc/passwd"})
    assert bad.status_code == 400, bad.text


async def test_env_and_db_refs_resolve_and_a_connector_gets_its_secrets_by_name(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
) -> None:
    api = await operator_api(http, stack, tenant)
    await api.write(
        "POST",
        "/secret-refs",
        {"name": "from-env", "ref": "env://ORCH_TENANT_SECRET_UPSTREAM_TOKEN"},
    )
    await api.write("POST", "/secret-refs", {"name": "stored", "ref": "db://"})
    await api.write("PUT", "/secret-refs/stored/value", {"value": "päss wörd ✓"})
    environ = {"ORCH_TENANT_SECRET_UPSTREAM_TOKEN": "from-the-environment"}
    values = await resolve(
        app_sessions, tenant.tenant_id, kek, ["from-env", "stored", "stored"], environ
    )
    assert values == {"from-env": "from-the-environment", "stored": "päss wörd ✓"}
    assert await resolve(app_sessions, tenant.tenant_id, kek, []) == {}

    connector = {
        "name": "api",
        "type": "http",
        "config": {
            "base_url": "http://127.0.0.1:9",
            "auth": {"type": "basic", "username_secret": "user", "password_secret": "pass"},
            "operations": {"ping": {"method": "GET"}},
        },
        "secrets": {"user": "from-env", "pass": "stored"},
    }
    assert (await api.write("POST", "/connectors", connector)).status_code == 201
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        found = await repository.connector_with_policy(session, "api")
        assert found is not None
        by_name = await connector_secrets(session, kek, found[0], environ=environ)
    assert by_name == {"user": "from-the-environment", "pass": "päss wörd ✓"}


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        (
            "env://ORCH_TENANT_SECRET_SURELY_NOT_SET",
            "`ORCH_TENANT_SECRET_SURELY_NOT_SET`, which is not set",
        ),
        ("db://", "has no value yet"),
        ("vault://kv/app#token", "ORCH_VAULT_ADDR is not set"),
    ],
)
async def test_an_unresolvable_ref_is_a_clear_409_not_a_500(
    stack: Stack,
    http: httpx.AsyncClient,
    tenant: BootstrapResult,
    app_sessions: async_sessionmaker[AsyncSession],
    kek: KeyEncryptionKey,
    ref: str,
    fragment: str,
) -> None:
    api = await operator_api(http, stack, tenant)
    assert (await api.write("POST", "/secret-refs", {"name": "s", "ref": ref})).status_code == 201
    with pytest.raises(SecretUnresolved) as caught:
        await resolve(app_sessions, tenant.tenant_id, kek, ["s"], environ=dict(os.environ))
    assert caught.value.status == 409
    assert fragment in caught.value.detail
    with pytest.raises(SecretUnresolved, match="No secret ref called `ghost`"):
        await resolve(app_sessions, tenant.tenant_id, kek, ["ghost"])


async def test_a_sealed_value_opens_only_in_its_own_row_and_tenant(
    app_sessions: async_sessionmaker[AsyncSession],
    owner_sessions: async_sessionmaker[AsyncSession],
    tenant: BootstrapResult,
    kek: KeyEncryptionKey,
) -> None:
    m = Mutation(tenant_id=tenant.tenant_id, actor="test", reason="aad test")
    async with app_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        for name in ("a", "b"):
            await secret_refs.create_secret_ref(session, m, name, "db://")
        await secret_refs.set_secret_value(session, m, KeyRing(kek), "a", "alpha")
    async with owner_sessions() as session, session.begin():
        await set_tenant(session, tenant.tenant_id)
        mine = select(SecretRef).where(SecretRef.tenant_id == tenant.tenant_id)
        a = await session.scalar(mine.where(SecretRef.name == "a"))
        b = await session.scalar(mine.where(SecretRef.name == "b"))
        assert a is not None
        assert b is not None
        b.sealed_value = a.sealed_value  # a copy into another row must not decrypt
    assert await resolve(app_sessions, tenant.tenant_id, kek, ["a"]) == {"a": "alpha"}
    with pytest.raises(SecretUnresolved, match="does not open"):
        await resolve(app_sessions, tenant.tenant_id, kek, ["b"])


# KEK rotation runs against a database of its own: rotating the session's database would
# pull the signing key from under the running services.


@pytest.fixture
def scratch_url(infra: Infra, migrated_template: str) -> Iterator[str]:
    """An empty database migrated to head, dropped afterwards."""
    url = databases.copy_of(infra.database_url, migrated_template, "orch_kek")
    yield url
    databases.drop_database(infra.database_url, url)


def new_kek(kek_id: str) -> KeyEncryptionKey:
    return KeyEncryptionKey(id=kek_id, key=secrets.token_bytes(32))


@pytest.fixture
async def scratch(
    scratch_url: str, service_env: dict[str, str]
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]]]:
    """Runtime-role and owner sessions on the scratch database."""
    settings = CoreSettings.from_env({**service_env, "DATABASE_URL": scratch_url})
    app, owner = create_engine(settings.db), create_engine(settings.db, owner=True)
    yield session_factory(app), session_factory(owner)
    await app.dispose()
    await owner.dispose()


def rotate_kek_cli(
    url: str, env: dict[str, str], old: KeyEncryptionKey, new: KeyEncryptionKey
) -> list[str]:
    """Run ``orchestrator keys rotate-kek``; its output lines."""
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator.cli.main", "keys", "rotate-kek"],
        env={
            **os.environ,
            **env,
            "DATABASE_URL": url,
            "ORCH_KEK": base64.b64encode(new.key).decode(),
            "ORCH_KEK_ID": new.id,
            "ORCH_KEK_PREVIOUS": base64.b64encode(old.key).decode(),
            "ORCH_KEK_PREVIOUS_ID": old.id,
        },
        capture_output=True,
        check=False,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


async def test_rotate_kek_rewraps_every_sealed_value_once(
    scratch_url: str,
    scratch: tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]],
    service_env: dict[str, str],
) -> None:
    app_sessions, owner_sessions = scratch
    old, new = new_kek("kek-old"), new_kek("kek-new")
    async with owner_sessions() as session, session.begin():
        signing = await keys.ensure_active_key(session, old)
        private = keys.private_key(signing, old).as_dict(private=True)
    tenants = [await new_tenant(app_sessions, old) for _ in range(2)]
    for i, t in enumerate(tenants):
        m = Mutation(tenant_id=t.tenant_id, actor="test", reason="rotation test")
        async with app_sessions() as session, session.begin():
            await set_tenant(session, t.tenant_id)
            await secret_refs.create_secret_ref(session, m, "stored", "db://")
            await secret_refs.set_secret_value(session, m, KeyRing(old), "stored", f"value-{i}")

    first = rotate_kek_cli(scratch_url, service_env, old, new)
    assert [line.split() for line in first] == [
        ["signing_keys", "re-wrapped", "1", "already", "current", "0"],
        ["workspace_secrets", "re-wrapped", "2", "already", "current", "0"],
        ["secret_refs", "re-wrapped", "2", "already", "current", "0"],
    ]

    # Everything opens with the new key alone, to the same plaintexts; the old key is useless.
    for i, t in enumerate(tenants):
        assert await resolve(app_sessions, t.tenant_id, new, ["stored"]) == {"stored": f"value-{i}"}
        with pytest.raises(SecretUnresolved):
            await resolve(app_sessions, t.tenant_id, old, ["stored"])
        async with owner_sessions() as session, session.begin():
            await set_tenant(session, t.tenant_id)
            secret = await session.scalar(
                select(WorkspaceSecret).where(WorkspaceSecret.tenant_id == t.tenant_id)
            )
            assert secret is not None
            sealed = envelope.from_json(secret.sealed)
            assert sealed.kek_id == new.id
            assert envelope.open_sealed(new, sealed, context=str(secret.id)).startswith(b"whsec_")
    async with owner_sessions() as session:
        row = await session.get(SigningKey, signing.kid)
        assert row is not None
        assert keys.private_key(row, new).as_dict(private=True) == private

    # A second run (in-process this time, the same code the command runs) changes nothing.
    env = {**service_env, "DATABASE_URL": scratch_url}
    env |= {"ORCH_KEK": base64.b64encode(new.key).decode(), "ORCH_KEK_ID": new.id}
    env |= {"ORCH_KEK_PREVIOUS": base64.b64encode(old.key).decode(), "ORCH_KEK_PREVIOUS_ID": old.id}
    second = await commands.rotate_kek(CoreSettings.from_env(env))
    assert second.rewrapped == 0
    assert {t: c.current for t, c in second.tables.items()} == {
        "signing_keys": 1,
        "workspace_secrets": 2,
        "secret_refs": 2,
    }
