"""The ``limit`` and ``cursor`` query parameters of every cursor-paginated list."""

from __future__ import annotations

from typing import Annotated

from litestar.di import Provide
from litestar.params import QueryParameter

from orchestrator.core.db.pages import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, MAX_LIMIT, PageRequest

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
