"""``POST /api/v1/execute`` on the fast path (``core/http/fast_path.py``, ADR 0038).

It serves the common call — a valid token with the ``execute`` scope, a JSON body, no
``Idempotency-Key`` — with the same steps as the Litestar handler in ``controllers.py``.
Everything else goes to that handler, which answers it as documented: a request with a
key (the idempotency store), a token it would refuse, a body that does not decode, an
unknown connector or an invalid payload. Only outcomes after the upstream was called
(or refused by the gate) are answered here, since the call must not be made twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar

from orchestrator.core.auth.claims import Principal
from orchestrator.core.execution.calls import Prepared
from orchestrator.core.execution.refusals import QueueInstead
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer
from orchestrator.exec_api.execute.controllers import queue_instead
from orchestrator.exec_api.execute.schemas import ExecuteRequest
from orchestrator.exec_api.fast_route import PlainRoute
from orchestrator.exec_api.jobs.controllers import executor_of
from orchestrator.exec_api.plane import plane_in

if TYPE_CHECKING:
    pass

PATH = "/api/v1/execute"
SCOPE = "execute"
_DECODER = msgspec.json.Decoder(ExecuteRequest)


class FastExecute(PlainRoute[tuple[Prepared, ExecuteRequest]]):
    """The fast route of ``POST /api/v1/execute``."""

    scope_name = SCOPE

    async def check(
        self, app: Litestar, principal: Principal, body: bytes
    ) -> tuple[Prepared, ExecuteRequest]:
        """The call, validated and rendered (404 and 422 are the route's to answer)."""
        data = _DECODER.decode(body)
        prepared = await executor_of(plane_in(app.state)).prepare(
            principal.tenant_id, data.connector, data.operation, data.payload
        )
        return prepared, data

    async def run(
        self, app: Litestar, principal: Principal, checked: tuple[Prepared, ExecuteRequest]
    ) -> Answer:
        """Call the upstream under the policy (or queue the call, if the policy says so)."""
        prepared, data = checked
        try:
            result = await executor_of(plane_in(app.state)).execute(prepared)
        except QueueInstead as queued:
            job = await queue_instead(plane_in(app.state), prepared, data, queued.delay_s)
            location = f"/api/v1/jobs/{job.id}".encode()
            return 202, msgspec.json.encode(job), [*JSON_HEADERS, (b"location", location)]
        return 200, msgspec.json.encode(result), JSON_HEADERS
