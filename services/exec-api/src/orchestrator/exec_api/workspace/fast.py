"""``GET /api/v1/workspace`` on the fast path (``core/http/fast_path.py``, ADR 0038): a
valid token without an impersonator is answered through ``read_own``, as the route in
``controllers.py`` answers it; anything else goes to that route."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar

from orchestrator.core.auth.claims import Principal
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer
from orchestrator.exec_api.fast_route import PlainRoute
from orchestrator.exec_api.plane import plane_in
from orchestrator.exec_api.workspace.controllers import read_own

if TYPE_CHECKING:
    from litestar.types import Scope


class FastWorkspace(PlainRoute[None]):
    """The fast route of ``GET /api/v1/workspace``."""

    scope_name = None
    takes_body = False

    async def check(self, app: Litestar, scope: Scope, principal: Principal, body: bytes) -> None:
        """Nothing to check: the token was."""

    async def run(self, app: Litestar, principal: Principal, checked: None) -> Answer:
        """The caller's workspace (404 when RLS hides it)."""
        workspace = await read_own(plane_in(app.state), principal.tenant_id)
        return 200, msgspec.json.encode(workspace), JSON_HEADERS
