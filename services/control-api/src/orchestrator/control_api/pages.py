"""The ``limit`` and ``cursor`` query parameters of every cursor-paginated list."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from litestar.di import Provide
from litestar.params import QueryParameter

from orchestrator.core.db.pages import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from orchestrator.core.jobs.cursor import JobCursor, cursor_param

Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=CURSOR_MAX_LENGTH,
        description="The `next_cursor` of the previous page; omitted for the first page.",
    ),
]
Limit = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description=f"Rows a page holds, at most {MAX_LIMIT}."),
]


async def provide_page(cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> PageRequest:
    """The page a list request asks for (decoded against the list's key when it is read)."""
    return PageRequest(limit=limit, cursor=cursor)


PAGED = {"page": Provide(provide_page)}
"""A list handler's ``dependencies``: it takes ``page: PageRequest``."""


TimeCursor = Annotated[str | None, QueryParameter(max_length=200)]
"""The ``cursor`` of a list read newest first by time and id (jobs, dead jobs, the inbox)."""


class Keyed(Protocol):
    """A row a time cursor can point at."""

    @property
    def id(self) -> uuid.UUID:
        """The row's id, which orders rows of the same instant."""
        ...


K = TypeVar("K", bound=Keyed)


TimeLimit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]
"""The ``limit`` of a list read newest first."""


@dataclass(frozen=True)
class TimePage:
    """The page a newest-first list request asks for: the rows after ``after`` (``None``
    for the first page), at most ``limit``."""

    after: JobCursor | None
    limit: int

    @property
    def read_limit(self) -> int:
        """How many rows to read: one more than the page holds tells whether another follows."""
        return self.limit + 1

    def cut(self, rows: Sequence[K], at: Callable[[K], dt.datetime]) -> tuple[list[K], str | None]:
        """The page out of the ``read_limit`` rows read, and the cursor of the next page,
        if any."""
        page = list(rows[: self.limit])
        if len(rows) <= self.limit:
            return page, None
        return page, JobCursor(at(page[-1]), page[-1].id).encode()


async def provide_time_page(
    cursor: TimeCursor = None, limit: TimeLimit = DEFAULT_LIMIT
) -> TimePage:
    """The page a newest-first list request asks for; 400 for a cursor this API did not return."""
    return TimePage(after=cursor_param(cursor), limit=limit)


TIME_PAGED = {"page": Provide(provide_time_page)}
"""A newest-first list handler's ``dependencies``: it takes ``page: TimePage``."""
