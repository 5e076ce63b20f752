"""Every change made with an impersonation token is audited (DESIGN §4).

Product backends' own writes are recorded in the event log; an operator acting as one
is recorded in the audit log too, with the impersonation's reason and ``jti``, before
the caller sees the answer: a 2xx or 3xx to a mutating request is held until its audit
record has committed. Requests of other tokens pass through untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger
from sqlalchemy.exc import SQLAlchemyError

from orchestrator.core import audit
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.http.observe import route_of

if TYPE_CHECKING:
    from litestar.types import Scope

    from orchestrator.core.auth.claims import Principal
    from orchestrator.core.runtime import Resources


async def record_impersonated_change(
    scope: Scope, method: str, principal: Principal, status: int
) -> None:
    """Audit one change made with an impersonation token (``ObserveMiddleware`` calls this
    before the answer leaves)."""
    resources: Resources = scope["app"].state.resources
    impersonation = principal.impersonation()
    assert impersonation is not None  # only impersonation tokens are marked
    try:
        async with tenant_transaction(resources.sessions, principal.tenant_id) as session:
            await audit.record(
                session,
                tenant_id=principal.tenant_id,
                actor=impersonation["operator"],
                action=f"exec.{method} {route_of(scope)}",
                target=str(scope.get("path", "")),
                reason=impersonation["reason"],
                after={"status": status},
                impersonation=impersonation,
            )
    except SQLAlchemyError as exc:
        # The change is made; its record is not. Say so loudly rather than fail the answer.
        logger.error("impersonated change not audited: {!r}", exc)
