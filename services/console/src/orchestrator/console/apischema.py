"""The control-api's OpenAPI document, fetched once and kept a few minutes: the source of
every generated form's schema."""

from __future__ import annotations

import time
from typing import Any

from orchestrator.console.backend import Backend
from orchestrator.console.errors import ApiUnavailable

KEEP_S = 300.0


class ApiSchemas:
    """A cache of the control-api's ``/schema/openapi.json``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._document: dict[str, Any] | None = None
        self._fetched_at = 0.0

    async def document(self) -> dict[str, Any]:
        """The OpenAPI document, fetched again after ``KEEP_S`` (a deploy may change it)."""
        now = time.monotonic()
        if self._document is None or now - self._fetched_at > KEEP_S:
            answer = await self.backend.public("GET", "/schema/openapi.json")
            if not isinstance(answer, dict) or "components" not in answer:
                raise ApiUnavailable("The control-api did not publish its OpenAPI document.")
            self._document, self._fetched_at = answer, now
        return self._document
