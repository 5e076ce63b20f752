"""The route declarations controllers share: who may call, which status, which problems.

Each factory returns Litestar's own route decorator with the arguments a controller
would otherwise spell out, so the OpenAPI document does not change.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Awaitable, Callable, Sequence
from operator import attrgetter
from typing import Any, get_type_hints

import msgspec
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from orchestrator.control_api.pages import TIME_PAGED, TimePage
from orchestrator.control_api.scope import READ_GUARDS, WRITE_GUARDS, WorkspaceScope
from orchestrator.control_api.views import READS, WRITES
from orchestrator.core.http.auth import guarded, provide_principal
from orchestrator.core.http.problems import problem_responses

READ: dict[str, Any] = guarded(*READ_GUARDS)
"""The ``opt`` of a read: a control token that may read."""
WRITE: dict[str, Any] = guarded(*WRITE_GUARDS)
"""The ``opt`` of a change: a control token that may write, held by an admin."""

FOUND = problem_responses(400, 401, 403, 404, 503)
"""The problems of a route on one thing outside a workspace (no ``409``)."""
LISTED = problem_responses(400, 401, 403, 503)
"""The problems of a list outside a workspace (nothing to be missing)."""
ANY_TOKEN = problem_responses(401, 403, 503)
"""The problems of a read with no parameters: only the token can be wrong."""


def bearer(tags: list[str], opt: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a route outside a controller: its ``tags``, guards (``opt``), the
    caller's principal and the bearer security scheme a controller would have given it."""
    return {
        "tags": tags,
        "opt": opt,
        "dependencies": {"principal": provide_principal},
        "security": [{"bearer": []}],
    }


def newest_first(only: Callable[..., Awaitable[Any]]) -> HTTPRouteHandler:
    """A ``GET`` of a workspace's rows newest first: the handler takes ``only``, the filter
    this dependency makes of the query, and ``page: TimePage``."""
    return get(opt=READ, responses=READS, dependencies={"only": Provide(only), **TIME_PAGED})


def as_handler(
    fn: Callable[..., Awaitable[Any]],
    name: str,
    doc: str | None,
    annotations: dict[str, Any],
) -> Callable[..., Awaitable[Any]]:
    """``fn`` named, documented and typed as Litestar reads a handler."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__annotations__ = annotations
    return fn


def newest_first_list(
    rows: Callable[[WorkspaceScope, Any, TimePage], Awaitable[Sequence[Any]]],
    only: Callable[..., Awaitable[Any]],
    listed: type[msgspec.Struct],
    show: Callable[[Any], Any],
    *,
    at: Callable[[Any], dt.datetime] = attrgetter("created_at"),
) -> HTTPRouteHandler:
    """The handler of a ``newest_first`` list: ``rows`` reads up to the page's
    ``read_limit`` rows with the filter ``only`` makes of the query, newest first by ``at``
    (default ``created_at``); ``show`` gives each row's view in ``listed`` (awaited when it
    is a coroutine function). The handler takes the name and docstring of ``rows``, hence
    its operation id and description."""
    awaits = inspect.iscoroutinefunction(show)

    async def handler(self: Controller, ws: WorkspaceScope, only: Any, page: TimePage) -> Any:
        shown, next_cursor = page.cut(await rows(ws, only, page), at)
        items = [await show(row) if awaits else show(row) for row in shown]
        return listed(items=items, next_cursor=next_cursor)

    typed = {
        "ws": WorkspaceScope,
        "only": get_type_hints(rows)["only"],
        "page": TimePage,
        "return": listed,
    }
    return newest_first(only)(as_handler(handler, rows.__name__, rows.__doc__, typed))


def creates(path: str | None = None, *, opt: dict[str, Any] = WRITE) -> HTTPRouteHandler:
    """A ``POST`` that makes something new: ``201``, with the problems of a write."""
    return post(path, opt=opt, status_code=201, responses=WRITES)


def acts(
    path: str | None = None,
    *,
    opt: dict[str, Any] = WRITE,
    responses: dict[int, ResponseSpec] = WRITES,
) -> HTTPRouteHandler:
    """A ``POST`` that acts on what exists and answers what it did: ``200``."""
    return post(path, opt=opt, status_code=200, responses=responses)
