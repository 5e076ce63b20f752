"""Request deadlines, watched by one task per process rather than a timer per request.

Every HTTP request gets a ``Deadline`` (``http/guard.py``); a ``Watchdog`` wakes every
``interval_s`` while requests are in flight and cancels the task of each one past its
deadline that has not started answering. That costs a request a few attribute writes
and a set insert, where an ``asyncio.timeout`` per request cost a timer-heap entry made
and cancelled (about 10 µs a request on the ``/execute`` hot path); the price is a
deadline kept to within ``interval_s``.

An upstream call under a policy's own total deadline is bounded already, and may take
longer than a request may wait for its database: ``paused`` lets it run without
spending the request's budget. A route whose work is known to be long (a bundle import,
a replay of a thousand dead jobs) declares a budget of its own in its ``opt``
(``route_budget``); the app gives it once the route is known (``allow``).
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from types import TracebackType
from typing import Final

DEADLINE_KEY: Final = "deadline_s"
"""A route's ``opt`` key: how long its answer may take, when longer than the default."""
BULK_S: Final = 30.0
"""The budget of a route that writes or reads a whole workspace or up to a thousand rows."""


class Deadline:
    """When one request must have started answering, on the event loop's clock."""

    __slots__ = ("answering", "at", "expired", "task")

    def __init__(self, at: float, task: asyncio.Task[object] | None) -> None:
        self.at = at
        self.task = task
        self.answering = False
        """Set once the response has started: a stream may run on past ``at``."""
        self.expired = False
        """Set by the watchdog when it cancelled ``task`` for passing ``at``."""


current: ContextVar[Deadline | None] = ContextVar("request_deadline", default=None)
"""The deadline of the request being served, if any."""


class Watchdog:
    """Cancels the tasks of watched requests that pass their deadline."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._watched: set[Deadline] = set()
        self._task: asyncio.Task[None] | None = None

    def watch(self, deadline: Deadline) -> None:
        """Watch ``deadline`` until ``forget``; starts the watching task if it stopped."""
        self._watched.add(deadline)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def forget(self, deadline: Deadline) -> None:
        """Stop watching ``deadline`` (its request ended)."""
        self._watched.discard(deadline)

    def expire_due(self, now: float) -> None:
        """Cancel each watched request past its deadline that has not started answering."""
        for deadline in self._watched:
            if now >= deadline.at and not (deadline.answering or deadline.expired):
                deadline.expired = True
                if deadline.task is not None:
                    deadline.task.cancel()

    async def _run(self) -> None:
        # Ends when nothing is watched, so an idle (or stopping) process holds no task.
        loop = asyncio.get_running_loop()
        while self._watched:
            await asyncio.sleep(self.interval_s)
            self.expire_due(loop.time())


def route_budget(seconds: float = BULK_S) -> dict[str, float]:
    """A route's ``opt`` entry giving its requests ``seconds`` to start answering."""
    return {DEADLINE_KEY: seconds}


def allow(seconds: float) -> None:
    """Let the current request run until ``seconds`` from now, if that is later."""
    deadline = current.get()
    if deadline is None or deadline.expired:
        return
    deadline.at = max(deadline.at, asyncio.get_running_loop().time() + seconds)


class paused:
    """Time spent inside, up to ``up_to_s``, does not count against the request deadline."""

    __slots__ = ("_at", "_deadline", "_entered", "_up_to_s")

    def __init__(self, up_to_s: float) -> None:
        self._up_to_s = up_to_s
        self._deadline: Deadline | None = None
        self._at = self._entered = 0.0

    def __enter__(self) -> None:
        deadline = current.get()
        if deadline is None:
            return
        self._deadline, self._at = deadline, deadline.at
        self._entered = asyncio.get_running_loop().time()
        deadline.at = self._at + self._up_to_s

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        deadline = self._deadline
        if deadline is None or deadline.expired:
            return
        spent = asyncio.get_running_loop().time() - self._entered
        deadline.at = self._at + min(self._up_to_s, spent)
