"""Every change made with an impersonation token is audited (DESIGN §4).

Product backends' own writes are recorded in the event log; an operator acting as one
is recorded in the audit log too, with the impersonation's reason and ``jti``, before
the caller sees the answer: a 2xx or 3xx to a mutating request is held until its audit
record has committed. Requests of other tokens pass through untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from loguru import logger
from sqlalchemy.exc import SQLAlchemyError

from orchestrator.core import audit
from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.http.observe import route_of
from orchestrator.core.observability.context import impersonation_var

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from orchestrator.core.auth.claims import Principal
    from orchestrator.core.runtime import Resources

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ImpersonationAudit:
    """ASGI wrapper: audit the successful mutating requests of impersonation tokens."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "") if scope["type"] == ScopeType.HTTP else ""
        if method not in MUTATING:
            await self.app(scope, receive, send)
            return
        token = impersonation_var.set(None)

        async def audited_send(message: Message) -> None:
            principal = impersonation_var.get()
            if (
                principal is not None
                and message["type"] == "http.response.start"
                and message["status"] < 400
            ):
                await _record(scope, method, principal, message["status"])
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        finally:
            impersonation_var.reset(token)


async def _record(scope: Scope, method: str, principal: Principal, status: int) -> None:
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
