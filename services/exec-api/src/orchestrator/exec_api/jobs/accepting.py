"""What every idempotent submission of the exec-api (a job, a batch, a workflow run) does
around its write: replay a stored response, else write and store the ``202`` in one
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.idempotency.guard import idempotent
from orchestrator.exec_api.plane import Plane

SUBMIT_LOCK_S = 30.0
"""How long a submission that died keeps its key in flight (far above its run time)."""


@dataclass(frozen=True)
class Accepted:
    """What a submission wrote: the ``202``'s body and its headers (``Location``)."""

    body: object
    headers: dict[str, str] | None = None


async def accept_once(
    request: Request[Any, Any, Any],
    plane: Plane,
    tenant_id: uuid.UUID,
    write: Callable[[AsyncSession], Awaitable[Accepted]],
) -> Response[Any]:
    """``write`` in the tenant's transaction, answered ``202``; a retry with the same
    ``Idempotency-Key`` gets the stored response instead, and nothing is written again."""
    async with idempotent(
        request, plane.resources.sessions, tenant_id, lock_s=SUBMIT_LOCK_S
    ) as idem:
        if idem.replay is not None:
            return idem.replay
        async with tenant_transaction(plane.resources.sessions, tenant_id) as session:
            accepted = await write(session)
            # In the write's own transaction: the key completes exactly when what it made exists.
            return await idem.respond(
                accepted.body, status_code=202, headers=accepted.headers, session=session
            )
