"""``POST /webhooks/{source_id}`` on the fast path (``core/http/fast_path.py``, ADR 0038).

The same steps as the Litestar route (``controllers.take``) without the framework's
per-request work; every refusal is the same problem document the route writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar

from orchestrator.core.http.fast_path import JSON_HEADERS, Answer, answer, read_body
from orchestrator.webhook_ingress.controllers import headers_of, take

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

PREFIX = "/webhooks/"
PATH = PREFIX + "{source_id}"
"""As the framework writes the route's template (``path_format``)."""


async def fast_receive(scope: Scope, receive: Receive, send: Send, app: Litestar) -> None:
    """Take one delivery; answer as the route would."""
    await answer(scope, send, _take(scope, receive, app))


async def _take(scope: Scope, receive: Receive, app: Litestar) -> Answer:
    source_id = scope["path"][len(PREFIX) :]
    body = await take(
        app.state.ingress, source_id, headers_of(scope), lambda limit: read_body(receive, limit)
    )
    return 200, body, JSON_HEADERS
