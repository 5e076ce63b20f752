"""Refuse, before any route runs, a path or query string that no text column can store.

PostgreSQL text cannot hold NUL, and psycopg raises ``DataError`` for a string
parameter that contains one, so a ``%00`` in a path parameter (a workflow name, a
connector name) or a query parameter would reach the database and end as a 500. One
check (``http/guard.py``) covers every route of every service, the fast routes included:
a NUL decoded into the path, or a ``%00`` in the raw query string, is a 400 problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import msgspec

from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, problem_body

if TYPE_CHECKING:
    from litestar.types import Scope, Send

_PROBLEM_HEADERS: Final = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]


def unstorable_input(scope: Scope) -> str | None:
    """Which part of the request line holds a NUL (``path`` or ``query``), or None."""
    if "\x00" in scope["path"]:
        return "path"
    if b"%00" in scope.get("query_string", b""):
        return "query"
    return None


async def refuse_unstorable(scope: Scope, send: Send, where: str) -> None:
    """Answer 400 ``bad-request``: the ``where`` part of the request line holds a NUL."""
    body = msgspec.json.encode(
        problem_body(
            status=400,
            code="bad-request",
            title="Bad request",
            detail=f"The {where} contains a NUL character, which no parameter may hold.",
            instance=scope["path"].replace("\x00", "%00"),
            errors=[{"source": where, "message": "must not contain NUL (%00)"}],
        )
    )
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [*_PROBLEM_HEADERS, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
