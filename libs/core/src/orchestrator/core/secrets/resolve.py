"""Resolve secret refs to values at call time, for a tenant-scoped session.

Every ref goes through ``RefScope.reach`` (``secrets/scope.py``) before anything is read,
so a row stored with a ref the rule refuses fails here with a clear 409, whoever wrote
it. Values live only in the returned mapping: they are never logged, and the errors
below name the ref and the reason, never a value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.errors import ConfigurationError, SecretUnresolved
from orchestrator.core.models import SecretRef
from orchestrator.core.observability.redaction import remember_secrets
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.refs import InvalidRef, parse_ref
from orchestrator.core.secrets.scope import (
    EnvVariable,
    OutOfScope,
    Reach,
    RefScope,
    StoredValue,
    VaultField,
)
from orchestrator.core.secrets.sealing import CannotOpen, open_value
from orchestrator.core.secrets.vault import (
    VaultSettings,
    VaultUnavailable,
    field_of,
    read_secrets,
)


def _reach(row: SecretRef, scope: RefScope) -> Reach:
    """What the row's ref may read, or the ``SecretUnresolved`` saying why nothing."""
    try:
        return scope.reach(parse_ref(row.ref), row.tenant_id)
    except InvalidRef:
        raise SecretUnresolved(
            f"Secret ref `{row.name}` is not a valid ref.", ref=row.name
        ) from None
    except OutOfScope as exc:
        raise SecretUnresolved(
            f"Secret ref `{row.name}` is refused: {exc}. Point it elsewhere with "
            f"PUT /api/v1/secret-refs/{row.name}.",
            ref=row.name,
        ) from None


def _resolve_one(
    row: SecretRef,
    reach: Reach,
    keys: KeyRing,
    environ: Mapping[str, str],
    vault_data: Mapping[str, Mapping[str, Any]],
) -> str:
    if isinstance(reach, EnvVariable):
        value = environ.get(reach.name)
        if value is None:
            raise SecretUnresolved(
                f"Secret ref `{row.name}` reads the environment variable `{reach.name}`, "
                "which is not set in this process.",
                ref=row.name,
            )
        return value
    if isinstance(reach, VaultField):
        secret = vault_data.get(reach.path)
        if secret is None:  # the caller reads every vault:// path first
            raise SecretUnresolved(f"Secret ref `{row.name}` was not read.", ref=row.name)
        try:
            return field_of(secret, reach.path, reach.field)
        except VaultUnavailable as exc:
            raise SecretUnresolved(f"Secret ref `{row.name}`: {exc}.", ref=row.name) from None
    assert isinstance(reach, StoredValue)
    if row.sealed_value is None:
        raise SecretUnresolved(
            f"Secret ref `{row.name}` has no value yet; set it with "
            f"PUT /api/v1/secret-refs/{row.name}/value.",
            ref=row.name,
        )
    try:
        return open_value(keys, row.sealed_value, tenant_id=row.tenant_id, ref_id=row.id)
    except CannotOpen as exc:
        raise SecretUnresolved(
            f"The value of secret ref `{row.name}` {exc}.", ref=row.name
        ) from None


async def resolve_secrets(
    session: AsyncSession,
    keys: KeyEncryptionKey | KeyRing,
    names: Iterable[str],
    *,
    environ: Mapping[str, str] | None = None,
    scope: RefScope | None = None,
) -> dict[str, str]:
    """The values of the named secret refs (one query); ``SecretUnresolved`` if any fails.

    Each ref is first checked against ``scope`` (default: the ``ORCH_SECRET_REFS_*``
    settings in ``environ``). ``env://`` reads ``environ`` (default: this process's
    environment), ``db://`` opens the sealed value with the KEK it names, ``vault://``
    reads Vault KV v2 under the workspace's prefix (``secrets/vault.py``; its settings
    come from ``environ`` too).
    """
    wanted = set(names)
    if not wanted:
        return {}
    rows = (await session.scalars(select(SecretRef).where(SecretRef.name.in_(wanted)))).all()
    found = {row.name: row for row in rows}
    if missing := sorted(wanted - found.keys()):
        raise SecretUnresolved(
            f"No secret ref called {', '.join(f'`{n}`' for n in missing)} in this workspace.",
            ref=missing[0],
        )
    ring = KeyRing.of(keys)
    env = os.environ if environ is None else environ
    if scope is None:
        try:
            scope = RefScope.from_env(env)
        except ConfigurationError as exc:
            first = min(found)
            raise SecretUnresolved(
                f"Secret ref `{first}` cannot be checked: {exc}.", ref=first
            ) from None
    reaches = {name: _reach(row, scope) for name, row in sorted(found.items())}
    vault_data = await _read_vault(found, reaches, env)
    values = {
        name: _resolve_one(row, reaches[name], ring, env, vault_data) for name, row in found.items()
    }
    remember_secrets(values.values())  # so that no log line can show them
    return values


async def _read_vault(
    rows: Mapping[str, SecretRef], reaches: Mapping[str, Reach], environ: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The Vault secrets the ``vault://`` refs among ``rows`` may reach, by path."""
    wanted: dict[str, SecretRef] = {}
    for name, reach in reaches.items():
        if isinstance(reach, VaultField):
            wanted.setdefault(reach.path, rows[name])
    if not wanted:
        return {}
    first = next(iter(wanted.values()))
    settings = VaultSettings.from_environ(environ)
    if settings is None:
        raise SecretUnresolved(
            f"Secret ref `{first.name}` is a vault:// ref, and this deployment has no Vault "
            "(ORCH_VAULT_ADDR is not set). Use env:// or db://, or configure Vault.",
            ref=first.name,
        )
    try:
        return await read_secrets(settings, first.tenant_id, wanted)
    except VaultUnavailable as exc:
        raise SecretUnresolved(f"{exc}.", ref=first.name) from None
