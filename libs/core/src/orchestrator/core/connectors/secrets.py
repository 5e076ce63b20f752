"""A connector's secrets, resolved at call time by the names its type uses.

It lives with the connectors, not in ``secrets/``: the platform's resolution knows refs,
not the connector rows that name them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.connectors.models import Connector
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.secrets.keyring import KeyRing
from orchestrator.core.secrets.resolve import resolve_secrets


async def connector_secrets(
    session: AsyncSession,
    keys: KeyEncryptionKey | KeyRing,
    connector: Connector,
    *,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A connector's secrets by the names its type uses (``api_key`` → value)."""
    values = await resolve_secrets(session, keys, connector.secrets.values(), environ=environ)
    return {secret: values[ref] for secret, ref in connector.secrets.items()}
