"""Every HTTP request answers within its deadline: a frozen dependency is a fast 503.

``RequestDeadline`` cancels a request whose answer has not started within
``ORCH_REQUEST_DEADLINE_S`` and answers ``503 dependency-unavailable`` with
``Retry-After`` instead. Cancelling is safe: a cancelled query closes its connection at
once (``db/engine.py``), so nothing uncommitted survives and no pooled connection is
left in an unknown state. Once an answer has started (a stream of events), the deadline
no longer applies. The same 503 answers a failure that says PostgreSQL or Redis did not
answer (``core/dependencies.py``), wherever it is raised.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from orchestrator.core import deadline as request_deadline
from orchestrator.core.dependencies import DEPENDENCY_FAILURES, is_dependency_failure, unavailable
from orchestrator.core.http.fast_path import respond_problem
from orchestrator.core.http.problems import handle_problem, handle_unexpected

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send


class RequestDeadline:
    """ASGI middleware: a 503 for a request not answering within ``seconds``."""

    def __init__(self, app: ASGIApp, *, seconds: float, retry_after_s: int) -> None:
        self.app = app
        self.seconds = seconds
        self.retry_after_s = retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        deadline = asyncio.timeout(self.seconds)
        started = False

        async def answering(message: Message) -> None:
            nonlocal started
            if not started and message["type"] == "http.response.start":
                started = True
                deadline.reschedule(None)  # answering now: a stream may run on
            await send(message)

        token = request_deadline.current.set(deadline)
        try:
            async with deadline:
                await self.app(scope, receive, answering)
        except TimeoutError:
            if started or not deadline.expired():
                raise
            detail = "The request did not complete in time: the database or Redis is slow."
            await respond_problem(send, scope, unavailable(self.retry_after_s, detail))
        except Exception as exc:  # escaped the app's handlers (e.g. a fast route's check)
            if started or not is_dependency_failure(exc):
                raise
            await respond_problem(send, scope, unavailable(self.retry_after_s))
        finally:
            request_deadline.current.reset(token)


def handle_dependency_failure(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """PostgreSQL or Redis did not answer: 503 with ``Retry-After``; anything else: 500."""
    if not is_dependency_failure(exc):
        return handle_unexpected(request, exc)
    retry_after_s = request.app.state.resources.settings.deployment.retry_after_s
    return handle_problem(request, unavailable(retry_after_s))


DEPENDENCY_HANDLERS: ExceptionHandlersMap = dict.fromkeys(
    (*DEPENDENCY_FAILURES, DBAPIError), handle_dependency_failure
)
"""Exception handlers of the dependency failures (``create_service_app`` adds them)."""
