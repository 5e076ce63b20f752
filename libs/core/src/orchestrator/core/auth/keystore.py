"""In-memory view of the signing keys, refreshed from the database."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from joserfc.jwk import ECKey, KeySet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth import keys
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.secrets.keyring import KeyRing


class KeyStore:
    """Verification keys for every service; the signing key too when given the KEK.

    An unknown ``kid`` triggers a refresh at most once per ``min_refresh_s``,
    so a flood of forged kids cannot turn into a flood of queries.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        kek: KeyEncryptionKey | KeyRing | None = None,
        min_refresh_s: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._kek = kek
        self._min_refresh_s = min_refresh_s
        self._last_refresh = float("-inf")
        self._lock = asyncio.Lock()
        self.keyset = KeySet([])
        self.kids: frozenset[str] = frozenset()
        self.signing_key: ECKey | None = None
        self.public_jwks: list[dict[str, Any]] = []

    async def refresh(self) -> None:
        """Reload keys from the database."""
        async with self._lock, self._sessions() as session:
            rows = await keys.verification_keys(session)
            active = next((row for row in rows if row.retired_at is None), None)
            self.keyset = keys.public_keyset(rows)
            self.kids = frozenset(row.kid for row in rows)
            self.public_jwks = [dict(row.public_jwk) for row in rows]
            if self._kek is not None:
                # A revoked signing key (``orchestrator keys revoke``) stops signing at once,
                # even before its replacement is read.
                self.signing_key = None if active is None else keys.private_key(active, self._kek)
            self._last_refresh = time.monotonic()

    async def refresh_for_unknown_kid(self) -> None:
        """Refresh unless one happened very recently."""
        if time.monotonic() - self._last_refresh >= self._min_refresh_s:
            await self.refresh()
