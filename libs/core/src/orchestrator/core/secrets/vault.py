"""``vault://path#field`` refs: fields of HashiCorp Vault KV v2 secrets, read over HTTP.

The deployment configures one Vault (``ORCH_VAULT_ADDR``, a token from
``ORCH_VAULT_TOKEN`` or, for an agent sidecar that renews it, ``ORCH_VAULT_TOKEN_FILE``).
A tenant names only the path under its own prefix (``ORCH_VAULT_PATH_PREFIX``, default
``orchestrator/{tenant_id}/``, which must name ``{tenant_id}``), so no workspace can read
another's secrets, whatever path it writes (``scope.vault_location``). Values are read when a connector plan or a webhook source is loaded,
then cached with it; they are never logged.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import msgspec

from orchestrator.core.observability.redaction import remember_secrets
from orchestrator.core.secrets.scope import OutOfScope, vault_location

if TYPE_CHECKING:  # the HTTP client is loaded with the first read: few deployments use Vault
    import aiohttp

DEFAULT_PREFIX = "orchestrator/{tenant_id}/"


class VaultUnavailable(Exception):
    """Vault did not give a secret; the message names the path and the reason, no value."""


@dataclass(frozen=True, slots=True)
class VaultSettings:
    """Where Vault is and how this process authenticates to it."""

    addr: str
    token: str
    mount: str = "secret"
    prefix: str = DEFAULT_PREFIX
    namespace: str | None = None
    timeout_s: float = 5.0

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> VaultSettings | None:
        """The settings in ``env``; ``None`` when ``ORCH_VAULT_ADDR`` is unset."""
        addr = env.get("ORCH_VAULT_ADDR", "").rstrip("/")
        if not addr:
            return None
        token = env.get("ORCH_VAULT_TOKEN", "")
        if not token and (token_file := env.get("ORCH_VAULT_TOKEN_FILE")):
            # Read on every load, so a token the agent renewed is picked up.
            token = Path(token_file).read_text().strip()
        remember_secrets((token,))  # so that no log line can show it
        return cls(
            addr=addr,
            token=token,
            mount=env.get("ORCH_VAULT_MOUNT", "secret").strip("/"),
            prefix=env.get("ORCH_VAULT_PATH_PREFIX", DEFAULT_PREFIX),
            namespace=env.get("ORCH_VAULT_NAMESPACE") or None,
            timeout_s=float(env.get("ORCH_VAULT_TIMEOUT_S", "5")),
        )


def data_url(settings: VaultSettings, tenant_id: uuid.UUID, path: str) -> str:
    """The KV v2 read URL of ``path`` under the tenant's prefix; ``VaultUnavailable`` when
    the prefix or the path could leave it (the rule: ``scope.vault_location``)."""
    try:
        segments = vault_location(settings.prefix, tenant_id, path)
    except OutOfScope as exc:
        raise VaultUnavailable(f"Vault will not read `{path}`: {exc}") from None
    return f"{settings.addr}/v1/{settings.mount}/data/" + "/".join(
        quote(s, safe="") for s in segments
    )


class _KvResponse(msgspec.Struct):
    data: _KvData


class _KvData(msgspec.Struct):
    data: dict[str, Any]


async def _read(
    http: aiohttp.ClientSession, settings: VaultSettings, url: str, path: str
) -> dict[str, Any]:
    import aiohttp

    headers = {"X-Vault-Token": settings.token}
    if settings.namespace:
        headers["X-Vault-Namespace"] = settings.namespace
    try:
        async with http.get(url, headers=headers, allow_redirects=False) as response:
            body = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise VaultUnavailable(
            f"Vault did not answer for `{path}` ({type(exc).__name__})"
        ) from None
    if status == 404:
        raise VaultUnavailable(f"Vault has no secret at `{path}`")
    if status != 200:
        raise VaultUnavailable(f"Vault refused to read `{path}` (HTTP {status})")
    try:
        return msgspec.json.decode(body, type=_KvResponse).data.data
    except msgspec.DecodeError:
        raise VaultUnavailable(f"Vault's answer for `{path}` is not a KV v2 secret") from None


async def read_secrets(
    settings: VaultSettings, tenant_id: uuid.UUID, paths: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Every KV v2 secret of ``paths`` (under the tenant's prefix), read concurrently."""
    wanted = sorted(set(paths))
    urls = [data_url(settings, tenant_id, p) for p in wanted]  # every path checked first
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=settings.timeout_s)
    async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as http:
        found = await asyncio.gather(
            *(_read(http, settings, url, p) for url, p in zip(urls, wanted, strict=True))
        )
    return dict(zip(wanted, found, strict=True))


def field_of(secret: Mapping[str, Any], path: str, field: str) -> str:
    """One field of a secret read from ``path``, as text."""
    value = secret.get(field)
    if value is None:
        raise VaultUnavailable(f"Vault's secret at `{path}` has no field `{field}`")
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()
