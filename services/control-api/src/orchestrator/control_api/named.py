"""The five routes of a workspace resource found by name, built once for every such
resource: list (cursor-paginated), read, create, replace and delete.

Each resource says what differs (its path, schemas, the core calls and the handlers'
docstrings, which document the operations); the handlers, guards, problem lists, status
codes and parameters are the same for all, so their OpenAPI operations are too. A
resource with more routes subclasses the controller this returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.handlers import HTTPRouteHandler

from orchestrator.control_api.fields import NameInPath
from orchestrator.control_api.pages import PAGED
from orchestrator.control_api.routes import READ, WRITE, as_handler
from orchestrator.control_api.scope import (
    Reason,
    ScopedController,
    WorkspaceScope,
)
from orchestrator.control_api.views import READS, WRITES, out, page_out
from orchestrator.core.configuration.mutation import Mutation
from orchestrator.core.db.pages import Page, PageRequest

AnyRequest = Request[Any, Any, Any]


@dataclass(frozen=True)
class Write:
    """What a create or replace handler hands the core: the request (for deployment
    settings), the workspace's transaction, who writes and why, and the body."""

    request: AnyRequest
    ws: WorkspaceScope
    m: Mutation
    data: Any


Lister = Callable[[Any, PageRequest], Awaitable[Page[Any]]]
Getter = Callable[[Any, str], Awaitable[Any]]
Creator = Callable[[Write], Awaitable[Any]]
Replacer = Callable[[Write, str], Awaitable[Any]]
Deleter = Callable[[Any, Mutation, str], Awaitable[None]]
Schema = type[msgspec.Struct]


@dataclass(frozen=True)
class Named:
    """A resource found by name, at ``path`` (whose last segment is its tag and, with
    ``-`` as ``_``, its plural): ``singular`` names its other handlers (``list_policies``,
    ``get_policy``), hence its operation ids. Each route is the core call and the
    handler's docstring, the operation's description in the OpenAPI document."""

    path: str
    singular: str
    schemas: tuple[Schema, Schema, Schema, Schema]
    """The view of one, of a page, and the bodies of a create and of a replace."""
    _: KW_ONLY
    create: tuple[Creator, str]
    replace: tuple[Replacer, str]
    delete: tuple[Deleter, str]
    list: tuple[Lister, str]
    get: tuple[Getter, str]
    show: Callable[[Any], Any] | None = None
    """The API view of what ``get``, ``create`` and ``replace`` return (default: ``out``
    of the row)."""
    show_page: Callable[[Page[Any]], Any] | None = None
    """The list view of what ``list`` returns (default: ``page_out`` of its rows)."""

    @property
    def out(self) -> Schema:
        """The view of one."""
        return self.schemas[0]

    @property
    def listed(self) -> Schema:
        """The view of a page."""
        return self.schemas[1]

    @property
    def tag(self) -> str:
        """The OpenAPI tag of the routes."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def plural(self) -> str:
        """What the list handler's name ends with."""
        return self.tag.replace("-", "_")

    def view(self, row: Any) -> Any:
        """The API view of one resource."""
        return out(row, self.out) if self.show is None else self.show(row)

    def page_view(self, got: Page[Any]) -> Any:
        """The list view of a page."""
        return page_out(got, self.listed) if self.show_page is None else self.show_page(got)


def _handlers(r: Named) -> dict[str, HTTPRouteHandler]:
    async def list_(self: Controller, ws: WorkspaceScope, page: PageRequest) -> Any:
        return r.page_view(await r.list[0](ws.session, page))

    async def get_(self: Controller, ws: WorkspaceScope, name: str) -> Any:
        return r.view(await r.get[0](ws.session, name))

    async def create_(
        self: Controller, request: AnyRequest, ws: WorkspaceScope, data: Any, reason: str
    ) -> Any:
        return r.view(await r.create[0](Write(request, ws, ws.mutation(reason), data)))

    async def replace_(
        self: Controller,
        request: AnyRequest,
        ws: WorkspaceScope,
        name: str,
        data: Any,
        reason: str,
    ) -> Any:
        return r.view(await r.replace[0](Write(request, ws, ws.mutation(reason), data), name))

    async def delete_(self: Controller, ws: WorkspaceScope, name: str, reason: str) -> None:
        await r.delete[0](ws.session, ws.mutation(reason), name)

    one = "/{name:str}"
    reads: dict[str, Any] = {"opt": READ, "responses": READS}
    writes: dict[str, Any] = {"opt": WRITE, "responses": WRITES}
    named = {"ws": WorkspaceScope, "name": NameInPath}
    written = {"request": AnyRequest, "ws": WorkspaceScope}
    return {
        "list": get(**reads, dependencies=PAGED)(
            as_handler(
                list_,
                f"list_{r.plural}",
                r.list[1],
                {"ws": WorkspaceScope, "page": PageRequest, "return": r.listed},
            )
        ),
        "get": get(one, **reads)(
            as_handler(get_, f"get_{r.singular}", r.get[1], {**named, "return": r.out})
        ),
        "create": post(status_code=201, **writes)(
            as_handler(
                create_,
                f"create_{r.singular}",
                r.create[1],
                {**written, "data": r.schemas[2], "reason": Reason, "return": r.out},
            )
        ),
        "replace": put(one, **writes)(
            as_handler(
                replace_,
                f"replace_{r.singular}",
                r.replace[1],
                {**written, "name": NameInPath, "data": r.schemas[3], "reason": Reason}
                | {"return": r.out},
            )
        ),
        "delete": delete(one, **reads | {"opt": WRITE})(
            as_handler(
                delete_,
                f"delete_{r.singular}",
                r.delete[1],
                {**named, "reason": Reason, "return": None},
            )
        ),
    }


def named_controller(name: str, doc: str, r: Named) -> type[Controller]:
    """The controller class ``name`` of resource ``r``, documented by ``doc``."""
    handlers = _handlers(r)
    attributes: dict[str, Any] = {
        "__doc__": doc,
        "__module__": r.out.__module__.replace(".schemas", ".controllers"),
        "path": r.path,
        "tags": [r.tag],
        **{
            f"{verb}_{r.plural if verb == 'list' else r.singular}": h
            for verb, h in handlers.items()
        },
    }
    return type(name, (ScopedController,), attributes)
