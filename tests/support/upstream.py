"""A controllable upstream HTTP server on loopback, for tests and benchmarks.

A minimal HTTP/1.1 server on an asyncio protocol (keep-alive, Content-Length
and chunked request bodies), cheap enough to take well over 5,000 requests a
second. In tests it runs on its own thread and event loop (the ``upstream``
fixture), so it answers whatever the test's own loop is doing; benchmarks run
it as a process: ``python -m tests.support.upstream --port N``.

What it answers, first match wins:

1. a behaviour programmed for the path (or for ``*``) through the Python API
   (``respond``, ``fail``, ``delay``, ``trickle``, ``hang``, ``drop``) or
   ``POST /__upstream/program``; ``times=K`` behaviours are used up first, in order;
2. request headers ``X-Upstream-Status``, ``X-Upstream-Delay-Ms``,
   ``X-Upstream-Retry-After`` and ``X-Upstream-Action: hang|close``;
3. paths ``/status/{code}``, ``/delay/{ms}``, ``/hang`` and ``/close``;
4. otherwise an echo: ``200`` with JSON ``{method, path, query, headers, body, call}``.

Every request except ``/__upstream/*`` is counted per path and per
``Idempotency-Key`` and recorded (method, path, query, headers, body,
connection id). ``GET /__upstream/stats`` and ``POST /__upstream/reset`` do
the same as the Python API for another process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs

import msgspec

Action = Literal["respond", "hang", "close", "trickle"]
CONTROL_PREFIX = "/__upstream/"
MAX_HEAD = 65_536

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    422: "Unprocessable Content",
    425: "Too Early",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class Behaviour(msgspec.Struct, frozen=True, kw_only=True):
    """One way of answering a request."""

    action: Action = "respond"
    """``trickle``: the head at once, then the body a byte every ``delay_ms``."""
    status: int = 200
    delay_ms: float = 0.0
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: Any = None
    """None: the echo document; bytes: sent as is; anything else: sent as JSON."""


class Program(msgspec.Struct, frozen=True, kw_only=True):
    """``POST /__upstream/program``: a behaviour for a path, ``times`` times or from now on."""

    path: str = "*"
    times: int | None = None
    behaviour: Behaviour = Behaviour()


@dataclass(frozen=True)
class RecordedRequest:
    """One request the upstream received."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    connection: int
    at: float

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string parsed, every value a list."""
        return parse_qs(self.query_string, keep_blank_values=True)

    def json(self) -> Any:
        """The body decoded as JSON."""
        return msgspec.json.decode(self.body)


@dataclass
class _Rules:
    once: deque[Behaviour] = field(default_factory=deque)
    always: Behaviour | None = None


class UpstreamState:
    """Programmed behaviours, counters and recorded requests; safe across threads."""

    def __init__(self, *, record: int = 1000) -> None:
        self._lock = threading.Condition()
        self._record = record
        self.reset()

    def reset(self) -> None:
        """Forget behaviours, counters and recordings."""
        with self._lock:
            self._rules: dict[str, _Rules] = {}
            self.path_calls: Counter[str] = Counter()
            self.key_calls: Counter[str] = Counter()
            self.total_calls = 0
            self.connections = 0
            self.recorded: deque[RecordedRequest] = deque(maxlen=self._record or None)
            self._lock.notify_all()

    def program(self, path: str, behaviour: Behaviour, times: int | None) -> None:
        """Answer requests to ``path`` with ``behaviour``: ``times`` times, or from now on."""
        with self._lock:
            rules = self._rules.setdefault(path, _Rules())
            if times is None:
                rules.always = behaviour
            else:
                rules.once.extend([behaviour] * times)

    def connection_opened(self) -> int:
        """Count a new connection and return its id."""
        with self._lock:
            self.connections += 1
            return self.connections

    def arrive(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        connection: int,
    ) -> tuple[int, Behaviour | None]:
        """Count and record one request; its call number on the path and programmed behaviour."""
        with self._lock:
            self.total_calls += 1
            self.path_calls[path] += 1
            key = headers.get("idempotency-key")
            if key is not None:
                self.key_calls[key] += 1
            if self._record:
                self.recorded.append(
                    RecordedRequest(method, path, query, headers, body, connection, time.time())
                )
            behaviour = None
            for name in (path, "*"):
                rules = self._rules.get(name)
                if rules is None:
                    continue
                if rules.once:
                    behaviour = rules.once.popleft()
                    break
                if rules.always is not None:
                    behaviour = rules.always
                    break
            self._lock.notify_all()
            return self.path_calls[path], behaviour

    def wait_for(self, count: int, path: str | None = None, wait_s: float = 5.0) -> int:
        """Block until ``count`` calls arrived (to ``path``, or in all); the count reached."""

        def seen() -> int:
            return self.total_calls if path is None else self.path_calls[path]

        with self._lock:
            self._lock.wait_for(lambda: seen() >= count, wait_s)
            return seen()

    def calls_under(self, prefix: str) -> int:
        """Requests received to paths starting with ``prefix``."""
        with self._lock:
            return sum(n for path, n in self.path_calls.items() if path.startswith(prefix))

    def recorded_requests(self, path: str | None = None) -> list[RecordedRequest]:
        """The recorded requests (to ``path``, or all), oldest first."""
        with self._lock:
            return [r for r in self.recorded if path is None or r.path == path]

    def side_effects(self) -> int:
        """The side effects an upstream deduplicating on ``Idempotency-Key`` would have
        applied: one per distinct key, and one per request without a key."""
        with self._lock:
            keyless = self.total_calls - sum(self.key_calls.values())
            return len(self.key_calls) + keyless

    def stats(self) -> dict[str, Any]:
        """Counters as JSON-ready data."""
        with self._lock:
            return {
                "total": self.total_calls,
                "connections": self.connections,
                "paths": dict(self.path_calls),
                "keys": dict(self.key_calls),
                "side_effects": self.side_effects(),
            }


def _encode_body(body: Any) -> tuple[bytes, str]:
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return msgspec.json.encode(body), "application/json"


def _response(
    status: int, body: bytes, content_type: str, headers: Mapping[str, str], close: bool
) -> bytes:
    head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n"]
    if body or status not in (204, 304):
        head.append(f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n")
    for name, value in headers.items():
        head.append(f"{name}: {value}\r\n")
    if close:
        head.append("Connection: close\r\n")
    head.append("\r\n")
    return "".join(head).encode("latin-1") + body


class _Incomplete(Exception):
    pass


def _read_chunked(buffer: bytearray, start: int) -> tuple[bytes, int]:
    """A chunked body starting at ``start``: the body and the offset after it."""
    body = bytearray()
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            raise _Incomplete
        size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", at - 2)
            if trailer_end < 0:
                raise _Incomplete
            return bytes(body), trailer_end + 4
        if len(buffer) < at + size + 2:
            raise _Incomplete
        body += buffer[at : at + size]
        at += size + 2


class _Connection(asyncio.Protocol):
    """One client connection: parses requests in order and answers each."""

    def __init__(self, server: UpstreamServer) -> None:
        self._server = server
        self._state = server.state
        self._buffer = bytearray()
        self._busy = False
        self._transport: asyncio.Transport | None = None
        self._id = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._id = self._state.connection_opened()
        self._server.transports.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._server.transports.discard(self._transport)
            self._server.hanging.discard(self._transport)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._busy:
            self._process()

    def _process(self) -> None:
        while self._transport is not None and not self._busy:
            head_end = self._buffer.find(b"\r\n\r\n")
            if head_end < 0:
                if len(self._buffer) > MAX_HEAD:
                    self._transport.close()
                return
            lines = bytes(self._buffer[:head_end]).decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            start = head_end + 4
            try:
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    body, end = _read_chunked(self._buffer, start)
                else:
                    end = start + int(headers.get("content-length", "0"))
                    if len(self._buffer) < end:
                        return
                    body = bytes(self._buffer[start:end])
            except _Incomplete:
                return
            del self._buffer[:end]
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            self._handle(method, target, headers, body, close)

    def _handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, close: bool
    ) -> None:
        path, _, query = target.partition("?")
        if path.startswith(CONTROL_PREFIX):
            self._write(self._server.control(method, path, body), close)
            return
        call, programmed = self._state.arrive(method, path, query, headers, body, self._id)
        behaviour = programmed or _requested_behaviour(path, headers)
        if behaviour is None:
            self._write((200, *_echo(method, path, query, headers, body, call)), close)
            return
        if behaviour.action == "close":
            assert self._transport is not None
            self._transport.close()
            return
        if behaviour.action == "hang":
            self._busy = True
            assert self._transport is not None
            self._server.hanging.add(self._transport)
            return
        payload = (
            _echo(method, path, query, headers, body, call)
            if behaviour.body is None
            else _encode_body(behaviour.body)
        )
        data = _response(behaviour.status, payload[0], payload[1], behaviour.headers, close)
        if behaviour.action == "trickle":
            self._busy = True
            head_length = len(data) - len(payload[0])
            self._write_raw(data[:head_length], close=False)
            self._trickle(data[head_length:], behaviour.delay_ms / 1000, close)
        elif behaviour.delay_ms > 0:
            self._busy = True
            loop = asyncio.get_running_loop()
            loop.call_later(behaviour.delay_ms / 1000, self._write_later, data, close)
        else:
            self._write_raw(data, close)

    def _write(self, response: tuple[int, bytes, str], close: bool) -> None:
        status, body, content_type = response
        self._write_raw(_response(status, body, content_type, {}, close), close)

    def _write_raw(self, data: bytes, close: bool) -> None:
        if self._transport is None:
            return
        self._transport.write(data)
        if close:
            self._transport.close()

    def _trickle(self, rest: bytes, interval_s: float, close: bool) -> None:
        if self._transport is None:
            return
        if not rest:
            self._write_later(b"", close)
            return
        self._transport.write(rest[:1])
        asyncio.get_running_loop().call_later(
            interval_s, self._trickle, rest[1:], interval_s, close
        )

    def _write_later(self, data: bytes, close: bool) -> None:
        self._busy = False
        self._write_raw(data, close)
        self._process()


def _requested_behaviour(path: str, headers: Mapping[str, str]) -> Behaviour | None:
    """A behaviour asked for by the request itself (headers, then path), or None to echo."""
    action = headers.get("x-upstream-action")
    if action == "hang":
        return Behaviour(action="hang")
    if action == "close":
        return Behaviour(action="close")
    status = headers.get("x-upstream-status")
    delay = headers.get("x-upstream-delay-ms")
    retry_after = headers.get("x-upstream-retry-after")
    if path.startswith("/status/"):
        status = status or path[len("/status/") :]
    elif path.startswith("/delay/"):
        delay = delay or path[len("/delay/") :]
    elif path == "/hang":
        return Behaviour(action="hang")
    elif path == "/close":
        return Behaviour(action="close")
    if status is None and delay is None:
        return None
    extra = {"Retry-After": retry_after} if retry_after else {}
    return Behaviour(status=int(status or 200), delay_ms=float(delay or 0), headers=extra)


def _echo(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes, call: int
) -> tuple[bytes, str]:
    content_type = headers.get("content-type", "")
    decoded: Any = None
    if body:
        if "json" in content_type:
            try:
                decoded = msgspec.json.decode(body)
            except msgspec.DecodeError:
                decoded = body.decode("utf-8", "replace")
        else:
            decoded = body.decode("utf-8", "replace")
    document = {
        "method": method,
        "path": path,
        "query": {k: v if len(v) > 1 else v[0] for k, v in parse_qs(query).items()}
        if query
        else {},
        "headers": headers,
        "body": decoded,
        "call": call,
    }
    return msgspec.json.encode(document), "application/json"


class UpstreamServer:
    """The controllable upstream: start it, program it, read what it saw."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, record: int = 1000) -> None:
        self.host = host
        self.port = port
        self.state = UpstreamState(record=record)
        self.transports: set[asyncio.Transport] = set()
        self.hanging: set[asyncio.Transport] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:43123``."""
        return f"http://{self.host}:{self.port}"

    # -- running -------------------------------------------------------------

    async def serve(self, on_ready: Callable[[], object] | None = None) -> None:
        """Listen until ``stop``; ``on_ready`` is called once the port is known."""
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._server = await self._loop.create_server(
            lambda: _Connection(self), self.host, self.port, backlog=1024
        )
        self.port = self._server.sockets[0].getsockname()[1]
        if on_ready is not None:
            on_ready()
        try:
            await self._stopped.wait()
        finally:
            self._server.close()
            for transport in list(self.transports):
                transport.abort()
            await self._server.wait_closed()

    def start(self) -> UpstreamServer:
        """Serve on a background thread with its own event loop."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=asyncio.run, args=(self.serve(ready.set),), name="upstream", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the upstream server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> UpstreamServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- programming ----------------------------------------------------------

    def reset(self) -> None:
        """Forget behaviours, counters and recordings; drop connections left hanging."""
        self.state.reset()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._abort_hanging)

    def _abort_hanging(self) -> None:
        for transport in list(self.hanging):
            transport.abort()
        self.hanging.clear()

    def respond(
        self,
        path: str = "*",
        *,
        status: int = 200,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        delay_ms: float = 0,
        times: int | None = None,
    ) -> None:
        """Answer ``path`` with ``status`` and ``body`` (None: the echo document)."""
        behaviour = Behaviour(
            status=status, body=body, headers=dict(headers or {}), delay_ms=delay_ms
        )
        self.state.program(path, behaviour, times)

    def fail(
        self,
        path: str = "*",
        *,
        status: int = 503,
        times: int | None = 1,
        retry_after: float | str | None = None,
        body: Any = None,
    ) -> None:
        """Fail the next ``times`` calls to ``path`` with ``status`` (None: every call)."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        failure = {"error": f"failing with {status}"} if body is None else body
        self.state.program(path, Behaviour(status=status, headers=headers, body=failure), times)

    def delay(self, path: str = "*", *, ms: float, times: int | None = None) -> None:
        """Echo ``path`` after ``ms`` milliseconds."""
        self.state.program(path, Behaviour(delay_ms=ms), times)

    def hang(self, path: str = "*", *, times: int | None = None) -> None:
        """Never answer ``path`` (the connection stays open)."""
        self.state.program(path, Behaviour(action="hang"), times)

    def trickle(self, path: str = "*", *, ms: float, times: int | None = None) -> None:
        """Answer ``path`` at once, then send the body one byte every ``ms`` milliseconds."""
        self.state.program(path, Behaviour(action="trickle", delay_ms=ms), times)

    def drop(self, path: str = "*", *, times: int | None = None) -> None:
        """Close the connection on a request to ``path`` without answering."""
        self.state.program(path, Behaviour(action="close"), times)

    # -- observing -------------------------------------------------------------

    def calls(self, path: str | None = None) -> int:
        """Requests received (to ``path``, or in all) since the last reset."""
        return self.state.total_calls if path is None else self.state.path_calls[path]

    def calls_under(self, prefix: str) -> int:
        """Requests received to paths starting with ``prefix`` since the last reset (a test's
        own, when another test's late calls may still arrive elsewhere)."""
        return self.state.calls_under(prefix)

    def key_calls(self, key: str) -> int:
        """Requests received carrying ``Idempotency-Key: key``."""
        return self.state.key_calls[key]

    @property
    def connections(self) -> int:
        """Connections accepted since the last reset."""
        return self.state.connections

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        """The recorded requests (to ``path``, or all), oldest first."""
        return self.state.recorded_requests(path)

    def last_request(self, path: str | None = None) -> RecordedRequest:
        """The most recent request (to ``path``, or any)."""
        found = self.requests(path)
        if not found:
            raise AssertionError(f"the upstream received no request to {path or 'any path'}")
        return found[-1]

    def wait_for_calls(self, count: int, path: str | None = None, wait_s: float = 5.0) -> int:
        """Block until ``count`` calls arrived; the count reached (may be less on timeout)."""
        return self.state.wait_for(count, path, wait_s)

    async def until_calls(self, count: int, path: str | None = None, wait_s: float = 5.0) -> int:
        """``wait_for_calls`` for async tests, without blocking their event loop."""
        return await asyncio.to_thread(self.state.wait_for, count, path, wait_s)

    # -- remote control (for a server in another process) -------------------------

    def control(self, method: str, path: str, body: bytes) -> tuple[int, bytes, str]:
        """Answer a ``/__upstream/*`` request."""
        if path == CONTROL_PREFIX + "stats" and method == "GET":
            return 200, msgspec.json.encode(self.state.stats()), "application/json"
        if path == CONTROL_PREFIX + "reset" and method == "POST":
            self.state.reset()
            self._abort_hanging()
            return 200, b"{}", "application/json"
        if path == CONTROL_PREFIX + "program" and method == "POST":
            try:
                program = msgspec.json.decode(body, type=Program)
            except msgspec.DecodeError as exc:
                return 422, msgspec.json.encode({"error": str(exc)}), "application/json"
            self.state.program(program.path, program.behaviour, program.times)
            return 200, b"{}", "application/json"
        return 404, b'{"error":"no such control endpoint"}', "application/json"


@contextlib.contextmanager
def running_upstream(*, record: int = 1000) -> Iterator[UpstreamServer]:
    """An upstream server on a free loopback port, for the duration of the block."""
    server = UpstreamServer(record=record).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def upstream_process(*, cpus: set[int] | None = None, record: int = 0) -> Iterator[str]:
    """An upstream server in a child process (optionally pinned to ``cpus``); yields its URL.

    Program it remotely with ``POST {url}/__upstream/program`` (a ``Program`` as JSON),
    read counters at ``GET {url}/__upstream/stats``.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.upstream", "--port", "0", "--record", str(record)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("upstream listening on "):
            raise RuntimeError(f"the upstream process did not start: {line!r}")
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    """``python -m tests.support.upstream --port N``: serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--record", type=int, default=0, help="requests to keep for inspection (0: none)"
    )
    args = parser.parse_args()
    server = UpstreamServer(args.host, args.port, record=args.record)

    def announce() -> None:
        print(f"upstream listening on {server.url}", flush=True)  # noqa: T201

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve(announce))


if __name__ == "__main__":
    main()
