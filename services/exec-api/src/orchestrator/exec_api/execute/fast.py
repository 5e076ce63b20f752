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

from orchestrator.core.errors import Problem
from orchestrator.core.execution.executor import Prepared, QueueInstead
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer, answer, read_body, replaying
from orchestrator.core.observability.context import tenant_id_var
from orchestrator.core.runtime import Resources
from orchestrator.exec_api.execute.controllers import queue_instead
from orchestrator.exec_api.execute.schemas import ExecuteRequest
from orchestrator.exec_api.fast_caller import caller
from orchestrator.exec_api.plane import plane_in

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

PATH = "/api/v1/execute"
SCOPE = "execute"
_DECODER = msgspec.json.Decoder(ExecuteRequest)


class FastExecute:
    """The fast route of ``POST /api/v1/execute``."""

    def __init__(self, max_body_bytes: int) -> None:
        self._max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: Litestar) -> None:
        resources: Resources = app.state.resources
        principal = await caller(resources, scope, SCOPE, self._max_body)
        if principal is None:
            await app(scope, receive, send)
            return
        tenant_id_var.set(str(principal.tenant_id))
        body = await read_body(receive, self._max_body)
        if body is None:
            return  # the client went away, or sent more than it declared: nothing started
        try:
            data = _DECODER.decode(body)
            assert resources.execution is not None
            executor = resources.execution.executor
            prepared = await executor.prepare(
                principal.tenant_id, data.connector, data.operation, data.payload
            )
        except (msgspec.DecodeError, msgspec.ValidationError, Problem):
            # The framework's route answers it, from the same body: 400, 404 or 422.
            await app(scope, replaying(body, receive), send)
            return
        await answer(scope, send, self._run(app, prepared, data))

    @staticmethod
    async def _run(app: Litestar, prepared: Prepared, data: ExecuteRequest) -> Answer:
        """Call the upstream under the policy (or queue the call, if the policy says so)."""
        assert app.state.resources.execution is not None
        try:
            result = await app.state.resources.execution.executor.execute(prepared)
        except QueueInstead as queued:
            job = await queue_instead(plane_in(app.state), prepared, data, queued.delay_s)
            location = f"/api/v1/jobs/{job.id}".encode()
            return 202, msgspec.json.encode(job), [*JSON_HEADERS, (b"location", location)]
        return 200, msgspec.json.encode(result), JSON_HEADERS
