"""Accept or mint an ``X-Request-ID`` and echo it on the response."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from litestar.enums import ScopeType

from orchestrator.core.observability.context import request_id_var, tenant_id_var

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
_SAFE = re.compile(rb"^[A-Za-z0-9._:-]{1,100}$")


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER and _SAFE.match(value):
            return value.decode()
    return None


class RequestIdMiddleware:
    """Sets the request-id context for logs and problem documents."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _incoming(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        tenant_token = tenant_id_var.set(None)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            request_id_var.reset(token)
            tenant_id_var.reset(tenant_token)
