"""``POST /api/v1/execute`` on the fast path (``core/http/fast_path.py``, ADR 0038).

It serves the common call — a valid token with the ``execute`` scope, a JSON body, no
``Idempotency-Key`` — through the same ``call_now`` as the Litestar handler in
``controllers.py``. Everything else goes to that handler, which answers it as documented:
a request with a key (the idempotency store), a token it would refuse, a body that does
not decode, an unknown connector or an invalid payload. Only outcomes after the upstream
was called (or refused by the gate) are answered here, since the call must not be made
twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar

from orchestrator.core.auth.claims import Principal
from orchestrator.core.execution.calls import Prepared
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer
from orchestrator.exec_api.execute.controllers import call_now
from orchestrator.exec_api.execute.schemas import ExecuteRequest
from orchestrator.exec_api.fast_route import PlainRoute
from orchestrator.exec_api.plane import plane_in

if TYPE_CHECKING:
    from litestar.types import Scope

SCOPE = "execute"
_DECODER = msgspec.json.Decoder(ExecuteRequest)


class FastExecute(PlainRoute[tuple[Prepared, ExecuteRequest]]):
    """The fast route of ``POST /api/v1/execute``."""

    scope_name = SCOPE

    async def check(
        self, app: Litestar, scope: Scope, principal: Principal, body: bytes
    ) -> tuple[Prepared, ExecuteRequest]:
        """The call, validated and rendered (404 and 422 are the route's to answer)."""
        data = _DECODER.decode(body)
        prepared = await plane_in(app.state).executor.prepare(
            principal.tenant_id, data.connector, data.operation, data.payload
        )
        return prepared, data

    async def run(
        self, app: Litestar, principal: Principal, checked: tuple[Prepared, ExecuteRequest]
    ) -> Answer:
        """Call the upstream under the policy (or queue the call, if the policy says so)."""
        called = await call_now(plane_in(app.state), *checked)
        headers = list(JSON_HEADERS)
        if called.location is not None:
            headers.append((b"location", called.location.encode()))
        return called.status, msgspec.json.encode(called.body), headers
