"""One ASGI layer that bounds every request: its request line, its deadline, its body.

- A NUL in the path or the query string is a 400 before any route runs (``inputs.py``).
- A request whose answer has not started within ``ORCH_REQUEST_DEADLINE_S`` is cancelled
  and answered ``503 dependency-unavailable`` with ``Retry-After`` (``core/deadline.py``
  keeps the deadlines). Cancelling is safe: a cancelled query closes its connection at
  once (``db/engine.py``), so nothing uncommitted survives and no pooled connection is
  left in an unknown state. Once an answer has started (a stream of events), the deadline
  no longer applies. A failure that says PostgreSQL or Redis did not answer and escaped
  the routes' own handlers (a fast route's) gets the same 503.
- What a request left of a body of at most ``cap`` declared bytes is read and dropped once
  it is answered, so a refusal sent before the body was read reaches the client
  (``drain.py``).

One layer rather than three: each layer of ASGI middleware costs a call and a ``send``
hop on the hot path.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from litestar.enums import ScopeType

from orchestrator.core.deadline import Deadline, Watchdog, current
from orchestrator.core.dependencies import failure_detail, is_dependency_failure, unavailable
from orchestrator.core.http.drain import BodyTracker, declared_length
from orchestrator.core.http.fast_path import respond_problem
from orchestrator.core.http.inputs import refuse_unstorable, unstorable_input

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

LATE = "The request did not complete in time: the database or Redis is slow."


def watch_interval(seconds: float) -> float:
    """How often deadlines are checked: a twentieth of the deadline, at most 0.1 s."""
    return min(0.1, max(seconds / 20, 0.005))


class RequestGuard:
    """ASGI middleware: NUL refusal, the request deadline and the unread body's drain."""

    def __init__(
        self, app: ASGIApp, *, deadline_s: float, retry_after_s: int, drain_cap: int
    ) -> None:
        self.app = app
        self.deadline_s = deadline_s
        self.retry_after_s = retry_after_s
        self.drain_cap = drain_cap
        self.watchdog = Watchdog(watch_interval(deadline_s))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        if (where := unstorable_input(scope)) is not None:
            await refuse_unstorable(scope, send, where)
            return
        length = declared_length(scope)
        tracker = BodyTracker(receive) if 0 < length <= self.drain_cap else None
        if self.deadline_s > 0:
            await self._bounded(scope, tracker or receive, send)
        else:
            await self.app(scope, tracker or receive, send)
        if tracker is not None and not tracker.finished:
            await tracker.drain()

    async def _bounded(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        deadline = Deadline(asyncio.get_running_loop().time() + self.deadline_s, task)

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start":
                deadline.answering = True  # a stream may run on past the deadline
            await send(message)

        self.watchdog.watch(deadline)
        token = current.set(deadline)
        try:
            await self.app(scope, receive, answering)
        except asyncio.CancelledError:
            # Ours only if the watchdog cancelled it, and no one else did too.
            if not deadline.expired or deadline.answering or _uncancel(task) > 0:
                raise
            await respond_problem(send, scope, unavailable(self.retry_after_s, LATE))
            return
        except Exception as exc:
            if deadline.answering or not is_dependency_failure(exc):
                raise
            await respond_problem(send, scope, unavailable(self.retry_after_s, failure_detail(exc)))
            return
        finally:
            self.watchdog.forget(deadline)
            current.reset(token)
        if deadline.expired:  # the app swallowed the cancellation: take it back
            _uncancel(task)
            if not deadline.answering:
                await respond_problem(send, scope, unavailable(self.retry_after_s, LATE))


def _uncancel(task: asyncio.Task[object] | None) -> int:
    return 0 if task is None else task.uncancel()
