"""Read what a request left of its body once it is answered, so the client sees the answer.

A route that refuses a body before reading it all (413 past ``ORCH_MAX_BODY_BYTES``, a
404 that never looks at it) leaves unread bytes on the connection; a server that then
closes it makes the kernel reset the connection, and a client still sending may lose the
answer it was sent. Draining a body of a declared length, up to ``cap`` bytes, after the
answer keeps the refusal readable (the bytes are dropped, never kept); ``http/guard.py``
does so for every request.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import Receive, ReceiveMessage, Scope


DRAIN_S = 5.0
"""The longest a client may take to send the rest of a body nobody reads."""


def declared_length(scope: Scope) -> int:
    """The request's ``Content-Length``, or 0 without a usable one."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


class BodyTracker:
    """A ``receive`` that knows whether the body was read to its end, and can drain it."""

    __slots__ = ("finished", "receive")

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.finished = False

    async def __call__(self) -> ReceiveMessage:
        message = await self.receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.finished = True
        return message

    async def drain(self) -> None:
        """Read and drop the rest of the body (a client that stops sending is let go)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_S):
                while not self.finished:
                    await self()
