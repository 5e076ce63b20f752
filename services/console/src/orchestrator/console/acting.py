"""A workspace token for one call the console makes on an operator's behalf: a one-shot
impersonation, scoped to that call, started with the operator's reason and stopped after
it, so every run is its own audited act and no token outlives it (nor leaves the server)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import quote

from orchestrator.console.context import Console
from orchestrator.console.errors import ApiProblem, ApiUnavailable

ONE_SHOT_TTL_S = 60
"""The least lifetime the control-api grants; the token is revoked as soon as the call ends."""


@asynccontextmanager
async def one_shot_token(
    console: Console, workspace: uuid.UUID, scope: str, reason: str
) -> AsyncIterator[str]:
    """An exec token of ``workspace`` holding only ``scope``, stopped when the block ends."""
    granted = await console.control(
        "POST",
        "/impersonation",
        params={"reason": reason},
        json={"workspace_id": str(workspace), "ttl_s": ONE_SHOT_TTL_S, "scopes": [scope]},
    )
    try:
        yield str(granted["access_token"])
    finally:
        # A stop that fails leaves a token that dies within the minute anyway.
        with suppress(ApiProblem, ApiUnavailable):
            await console.control(
                "POST",
                f"/impersonation/{quote(str(granted['jti']), safe='')}/stop",
                params={"reason": reason},
            )
