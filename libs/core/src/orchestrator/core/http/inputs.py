"""Refuse, before any route runs, a path or query string that no text column can store.

PostgreSQL text cannot hold NUL, and psycopg raises ``DataError`` for a string
parameter that contains one, so a ``%00`` in a path parameter (a workflow name, a
connector name) or a query parameter would reach the database and end as a 500. One
check here covers every route of every service, the fast routes included: a NUL
decoded into the path, or a ``%00`` in the raw query string, is a 400 problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import msgspec
from litestar.enums import ScopeType

from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, problem_body

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

_PROBLEM_HEADERS: Final = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]


def unstorable_input(scope: Scope) -> str | None:
    """Which part of the request line holds a NUL (``path`` or ``query``), or None."""
    if "\x00" in scope["path"]:
        return "path"
    if b"%00" in scope.get("query_string", b""):
        return "query"
    return None


class RefuseUnstorableInput:
    """ASGI middleware: a NUL in the path or the query string is a 400 ``bad-request``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and (where := unstorable_input(scope)) is not None:
            await self._refuse(scope, send, where)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, where: str) -> None:
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
