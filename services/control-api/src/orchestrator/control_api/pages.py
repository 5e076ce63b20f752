"""The ``limit`` and ``cursor`` query parameters of every cursor-paginated list."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Protocol, TypeVar

from litestar.di import Provide
from litestar.params import QueryParameter

from orchestrator.core.db.pages import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from orchestrator.core.jobs.cursor import JobCursor

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


def newest_first(
    rows: Sequence[K], limit: int, at: Callable[[K], dt.datetime]
) -> tuple[list[K], str | None]:
    """The page out of the ``limit + 1`` rows read (one more tells whether another page
    follows), and the cursor of the next page, if any."""
    page = list(rows[:limit])
    if len(rows) <= limit:
        return page, None
    return page, JobCursor(at(page[-1]), page[-1].id).encode()
