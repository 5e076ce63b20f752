"""One keep-alive HTTP/1.1 connection of the lean client, and its response parser.

``Connection`` is an asyncio protocol that answers one request at a time: it writes the
request, feeds the bytes it receives to llhttp (through httptools, whose callbacks it
implements), keeps the whole response within the size limit, and watches the read and
total timeouts with one timer that re-arms itself only when it fires.
"""

from __future__ import annotations

import asyncio
from typing import Final, cast

import httptools

from orchestrator.core.upstream.client import (
    Timeouts,
    UpstreamBadResponse,
    UpstreamConnectError,
    UpstreamError,
    UpstreamTimeout,
)

_NO_BODY_STATUSES: Final = frozenset({204, 304})


class Connection(asyncio.Protocol):
    """One keep-alive connection, answering one request at a time."""

    def __init__(self, max_body: int) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.max_body = max_body
        self.closed = False
        self.reusable = False
        self.idle_since = 0.0
        self._loop = asyncio.get_running_loop()
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._deadline = 0.0
        self._read_s = 0.0
        self._last_read = 0.0
        self._timeouts: Timeouts | None = None
        self._head = False
        self._until_eof = False
        self._headers_done = False
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self._size = 0

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # bytes nobody asked for: the connection is unusable
            self.abort()
            return
        self._last_read = self._loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(
                UpstreamConnectError(f"malformed upstream response: {exc}", request_sent=True)
            )

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        if self._waiter is None:
            return
        if self._until_eof and self._headers_done:
            self._done()  # a response without a length ends with its connection
            return
        reason = f": {exc}" if exc else ""
        self._fail(
            UpstreamConnectError(
                f"the upstream closed the connection before a whole response{reason}",
                request_sent=True,
            )
        )

    # -- httptools callbacks --------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._headers_done = True
        self.status = self.parser.get_status_code()
        if self.status < 200:  # an interim answer (1xx): the real one follows
            self._headers_done = False
            self.headers = []
            return
        names = {name.lower(): value for name, value in self.headers}
        length = names.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            self._fail(
                UpstreamBadResponse(f"the upstream response is larger than {self.max_body} bytes")
            )
            return
        if self._head or self.status in _NO_BODY_STATUSES:
            # llhttp cannot know a HEAD answer has no body: finish here, never reuse.
            self.reusable = False
            self._done(keep=False)
            return
        self._until_eof = length is None and "chunked" not in names.get("transfer-encoding", "")

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self.max_body:
            self._fail(
                UpstreamBadResponse(f"the upstream response is larger than {self.max_body} bytes")
            )
            return
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self._headers_done and self._waiter is not None:
            self._done(keep=self.parser.should_keep_alive())

    # -- one exchange -----------------------------------------------------------------------

    async def exchange(
        self, head: bytes, body: bytes | None, timeouts: Timeouts, deadline: float, *, is_head: bool
    ) -> None:
        """Send one request and wait for its whole response, by ``deadline`` (loop time)."""
        assert self.transport is not None
        loop = self._loop
        now = loop.time()
        self._waiter = loop.create_future()
        self._timeouts = timeouts
        self._deadline = deadline
        self._read_s = max(timeouts.read_s, 0.001)
        self._last_read = now
        self._head = is_head
        self._until_eof = False
        self._headers_done = False
        self.status, self.headers, self.body, self._size = 0, [], [], 0
        self.reusable = False
        self._timer = loop.call_at(min(self._deadline, now + self._read_s), self._on_timer)
        if body:
            self.transport.writelines((head, body))
        else:
            self.transport.write(head)
        try:
            await self._waiter
        finally:
            self._waiter = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        if self._waiter is None or self._waiter.done():
            return
        assert self._timeouts is not None
        now = self._loop.time()
        if now >= self._deadline:
            self._fail(UpstreamTimeout("total", self._timeouts.total_s))
        elif now >= self._last_read + self._read_s:
            self._fail(UpstreamTimeout("read", self._timeouts.read_s))
        else:
            self._timer = self._loop.call_at(
                min(self._deadline, self._last_read + self._read_s), self._on_timer
            )

    def _done(self, *, keep: bool = False) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self.reusable = keep and not self.closed
            waiter.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        self.reusable = False
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.abort()

    def abort(self) -> None:
        """Drop the connection at once."""
        self.closed = True
        self.reusable = False
        if self.transport is not None:
            self.transport.abort()
