"""The deadline of the HTTP request being served, for code that must step outside it.

``http/deadline.py`` bounds every request; an upstream call under a policy's own total
deadline is bounded already, and may take longer than a request may wait for its
database: ``paused`` lets it run without spending the request's budget.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from types import TracebackType

current: ContextVar[asyncio.Timeout | None] = ContextVar("request_deadline", default=None)
"""The request's ``asyncio.timeout``, while one is being served."""


class paused:
    """Time spent inside, up to ``up_to_s``, does not count against the request deadline."""

    __slots__ = ("_deadline", "_entered", "_up_to_s", "_when")

    def __init__(self, up_to_s: float) -> None:
        self._up_to_s = up_to_s
        self._deadline: asyncio.Timeout | None = None
        self._when = self._entered = 0.0

    def __enter__(self) -> None:
        deadline = current.get()
        when = None if deadline is None else deadline.when()
        if deadline is None or when is None:
            return
        self._deadline, self._when = deadline, when
        self._entered = asyncio.get_running_loop().time()
        deadline.reschedule(when + self._up_to_s)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        deadline = self._deadline
        if deadline is None or deadline.expired() or deadline.when() is None:
            return
        spent = asyncio.get_running_loop().time() - self._entered
        deadline.reschedule(self._when + min(self._up_to_s, spent))
