"""Routes declare guards with ``guarded``; the app refuses to start when they would not run."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar, Request, get
from litestar.connection import ASGIConnection
from litestar.exceptions import ImproperlyConfiguredException
from litestar.handlers.base import BaseRouteHandler
from litestar.testing import TestClient

from orchestrator.core.errors import Forbidden
from orchestrator.core.http.app import before_request, check_guards_run
from orchestrator.core.http.auth import guarded
from orchestrator.core.http.problems import EXCEPTION_HANDLERS


async def refuse(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.headers.get("x-pass") != "yes":
        raise Forbidden("no pass")


def test_guards_declared_with_guarded_run_before_the_handler() -> None:
    @get("/guarded", opt=guarded(refuse), sync_to_thread=False)
    def handler() -> str:
        return "in"

    app = Litestar([handler], before_request=before_request, exception_handlers=EXCEPTION_HANDLERS)
    check_guards_run(app)
    with TestClient(app) as client:
        assert client.get("/guarded").status_code == 403
        assert client.get("/guarded", headers={"x-pass": "yes"}).text == "in"


def test_litestar_guards_are_refused_at_startup() -> None:
    @get("/old", guards=[refuse], sync_to_thread=False)
    def handler() -> str:
        return "in"

    with pytest.raises(ImproperlyConfiguredException, match="guarded"):
        check_guards_run(Litestar([handler], before_request=before_request))


def test_a_route_whose_own_before_request_would_skip_its_guards_is_refused() -> None:
    async def own(_: Request[Any, Any, Any]) -> None:
        return None

    @get("/skips", opt=guarded(refuse), before_request=own, sync_to_thread=False)
    def handler() -> str:
        return "in"

    with pytest.raises(ImproperlyConfiguredException, match="before_request"):
        check_guards_run(Litestar([handler], before_request=before_request))
