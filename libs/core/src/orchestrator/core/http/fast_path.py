"""Hot routes served without the framework, with the framework's route as their reference.

A ``FastRoute`` answers the plain, common case of one method and path with a few raw
ASGI calls, and hands anything else (a missing or bad token, an unusual header, a body
that does not decode, a request it would refuse) to the Litestar route registered for
the same path, which stays the documented and reference behaviour: its answers, its
problem documents, its OpenAPI operation. A request handed over after its body was read
gets the same body replayed, so nothing is read twice or lost. Per request this skips
the framework's routing, kwargs model, signature parsing and response objects: about
half the CPU of a request to ``/api/v1/execute`` (ADR 0038).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import msgspec
from litestar.enums import ScopeType
from litestar.types.asgi_types import HTTPRequestEvent
from loguru import logger

from orchestrator.core.dependencies import is_dependency_failure
from orchestrator.core.errors import Problem
from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, problem_body

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import Receive, ReceiveMessage, Scope, Send

JSON_HEADERS = ((b"content-type", b"application/json"),)


class FastRoute(Protocol):
    """Serve one request, or pass it on to ``app`` (the framework, and its route)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: Litestar) -> None: ...


class FastRoutes:
    """ASGI app: matching requests go to their ``FastRoute``, the rest to ``app``.

    A route path is matched exactly, or, when its last segment is a parameter
    (``/webhooks/{source_id}``), as what precedes it followed by one path segment. The
    path, as written, labels metrics and logs, as the framework's template would.
    """

    def __init__(self, app: Litestar, routes: Mapping[tuple[str, str], FastRoute]) -> None:
        self.app = app
        self._exact: dict[tuple[str, str], FastRoute] = {}
        self._prefixed: list[tuple[str, str, str, FastRoute]] = []
        for (method, path), route in routes.items():
            prefix = parameter_prefix(path)
            if prefix is None:
                self._exact[(method, path)] = route
            else:
                self._prefixed.append((method, prefix, path, route))

    def _match(self, method: str, path: str) -> tuple[str, FastRoute] | None:
        route = self._exact.get((method, path))
        if route is not None:
            return path, route
        for route_method, prefix, template, route in self._prefixed:
            if method == route_method and path.startswith(prefix):
                segment = path[len(prefix) :]
                if segment and "/" not in segment:
                    return template, route
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            found = self._match(scope["method"], scope["path"])
            if found is not None:
                scope["path_template"] = found[0]
                await found[1](scope, receive, send, self.app)
                return
        await self.app(scope, receive, send)


def parameter_prefix(path: str) -> str | None:
    """What precedes a path's last segment when that segment is a parameter, else ``None``."""
    head, _, last = path.rpartition("/")
    return f"{head}/" if last.startswith("{") and last.endswith("}") else None


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` past ``limit`` bytes or on a disconnect."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` again, then what ``receive`` yields."""
    sent = False

    async def again() -> ReceiveMessage:
        nonlocal sent
        if not sent:
            sent = True
            return HTTPRequestEvent(type="http.request", body=body, more_body=False)
        return await receive()

    return again


async def respond(
    send: Send,
    status: int,
    body: bytes,
    headers: Iterable[tuple[bytes, bytes]] = JSON_HEADERS,
) -> None:
    """One whole response."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


Answer = tuple[int, bytes, Sequence[tuple[bytes, bytes]]]
"""Status, body and headers of a whole response."""


async def answer(scope: Scope, send: Send, work: Awaitable[Answer]) -> None:
    """Send what ``work`` answers, or the problem document of what it raises."""
    try:
        status, body, headers = await work
    except Problem as exc:
        await respond_problem(send, scope, exc)
        return
    except Exception as exc:
        if is_dependency_failure(exc):
            raise  # a 503 with Retry-After, from the request deadline's middleware
        await respond_unexpected(send, scope, exc)
        return
    await respond(send, status, body, headers)


async def respond_problem(send: Send, scope: Scope, exc: Problem) -> None:
    """The problem document of ``exc``, as the framework's exception handler writes it."""
    body = problem_body(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=scope["path"],
        **exc.extensions,
    )
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]
    headers.extend((k.lower().encode(), v.encode()) for k, v in exc.headers.items())
    await respond(send, exc.status, msgspec.json.encode(body), headers)


async def respond_unexpected(send: Send, scope: Scope, exc: Exception) -> None:
    """A bug: logged with its traceback, answered with a bare 500 problem."""
    logger.opt(exception=exc).error("unhandled error on {}", scope["path"])
    body = problem_body(
        status=500,
        code="internal",
        title="Internal server error",
        detail="An unexpected error occurred; quote the request_id when reporting it.",
        instance=scope["path"],
    )
    problem = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]
    await respond(send, 500, msgspec.json.encode(body), problem)
