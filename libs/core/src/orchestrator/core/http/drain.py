"""Read what a request left of its body once it is answered, so the client sees the answer.

A route that refuses a body before reading it all (413 past ``ORCH_MAX_BODY_BYTES``, a
404 that never looks at it) leaves unread bytes on the connection; a server that then
closes it makes the kernel reset the connection, and a client still sending may lose the
answer it was sent. Draining a body of a declared length, up to ``cap`` bytes, after the
answer keeps the refusal readable (the bytes are dropped, never kept).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send


DRAIN_S = 5.0
"""The longest a client may take to send the rest of a body nobody reads."""


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


class DrainUnreadBody:
    """ASGI app: ``app``, then drop what is left of a body of at most ``cap`` declared bytes."""

    def __init__(self, app: ASGIApp, *, cap: int) -> None:
        self.app = app
        self.cap = cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        length = _declared_length(scope)
        if not 0 < length <= self.cap:
            await self.app(scope, receive, send)
            return
        finished = False

        async def tracked() -> ReceiveMessage:
            nonlocal finished
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                finished = True
            return message

        await self.app(scope, tracked, send)
        if finished:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_S):  # a client that stops sending is let go
                while not finished:
                    await tracked()
