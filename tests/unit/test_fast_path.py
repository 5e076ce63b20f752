"""Fast routes serve their common case and hand the rest, body and all, to the framework."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar, Request, post
from litestar.exceptions import ImproperlyConfiguredException
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send

from orchestrator.core.http.app import check_fast_routes
from orchestrator.core.http.fast_path import FastRoutes, read_body, replaying, respond

LIMIT = 64


@post("/echo", status_code=200)
async def echo(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The framework's route: says it answered, and what body it got."""
    return {"by": "framework", "body": (await request.body()).decode()}


async def fast_echo(scope: Scope, receive: Receive, send: Send, app: Litestar) -> None:
    """Serves bodies starting with ``fast``; hands over the rest after reading them."""
    body = await read_body(receive, LIMIT)
    assert body is not None
    if not body.startswith(b"fast"):
        await app(scope, replaying(body, receive), send)
        return
    await respond(send, 200, b'{"by":"fast","template":"%s"}' % scope["path_template"].encode())


def client() -> TestClient[Any]:
    app = Litestar([echo])
    return TestClient(FastRoutes(app, {("POST", "/echo"): fast_echo}))


def test_the_common_case_never_reaches_the_framework() -> None:
    with client() as http:
        answer = http.post("/echo", content=b"fast please")
    assert answer.json() == {"by": "fast", "template": "/echo"}


def test_a_handed_over_request_reaches_the_framework_with_its_whole_body() -> None:
    with client() as http:
        answer = http.post("/echo", content=b"slow and steady")
    assert answer.json() == {"by": "framework", "body": "slow and steady"}


def test_other_methods_and_paths_go_to_the_framework() -> None:
    with client() as http:
        assert http.get("/echo").status_code == 405
        assert http.post("/echo/", content=b"fast").json()["by"] == "framework"


def test_a_fast_route_needs_a_framework_route_to_fall_back_to() -> None:
    with pytest.raises(ImproperlyConfiguredException, match="no route"):
        check_fast_routes(Litestar([echo]), {("POST", "/missing"): fast_echo})
    with pytest.raises(ImproperlyConfiguredException, match="no route"):
        check_fast_routes(Litestar([echo]), {("PUT", "/echo"): fast_echo})
    check_fast_routes(Litestar([echo]), {("POST", "/echo"): fast_echo})


@post("/items/{item_id:str}", status_code=200)
async def item(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The framework's route of a parameter path."""
    return {"by": "framework", "item": request.path_params["item_id"]}


async def fast_item(scope: Scope, receive: Receive, send: Send, app: Litestar) -> None:
    await respond(send, 200, b'{"by":"fast","template":"%s"}' % scope["path_template"].encode())


def test_a_parameter_path_matches_one_segment_and_keeps_its_template() -> None:
    app = Litestar([item])
    check_fast_routes(app, {("POST", "/items/{item_id}"): fast_item})
    with TestClient(FastRoutes(app, {("POST", "/items/{item_id}"): fast_item})) as http:
        assert http.post("/items/a1").json() == {"by": "fast", "template": "/items/{item_id}"}
        assert http.post("/items/a1/more").status_code == 404
        assert http.post("/items/").status_code in (404, 405)
