"""``POST /api/v1/jobs`` on the fast path (``core/http/fast_path.py``, ADR 0038).

The plain submission — a token with ``jobs:write``, a JSON body, no ``Idempotency-Key``
— takes the same steps as ``JobController.submit``: check the operation and payload,
then join the group commit. Anything refused before the job is queued goes to that
route with its body, which answers it as documented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar

from orchestrator.core.auth.claims import Principal
from orchestrator.core.errors import Problem
from orchestrator.core.execution.executor import Prepared
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer, answer, read_body, replaying
from orchestrator.core.jobs import service
from orchestrator.core.observability.context import tenant_id_var
from orchestrator.exec_api.fast_caller import caller
from orchestrator.exec_api.jobs.controllers import executor_of, new_job, to_accepted
from orchestrator.exec_api.jobs.schemas import JobCreate
from orchestrator.exec_api.jobs.submitter import Submission
from orchestrator.exec_api.plane import Plane, plane_in

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

PATH = "/api/v1/jobs"
SCOPE = "jobs:write"
_DECODER = msgspec.json.Decoder(JobCreate)


class FastSubmit:
    """The fast route of ``POST /api/v1/jobs``."""

    def __init__(self, max_body_bytes: int) -> None:
        self._max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: Litestar) -> None:
        plane = plane_in(app.state)
        principal = await caller(plane.resources, scope, SCOPE, self._max_body)
        if principal is None:
            await app(scope, receive, send)
            return
        tenant_id_var.set(str(principal.tenant_id))
        body = await read_body(receive, self._max_body)
        if body is None:
            return  # the client went away, or sent more than it declared: nothing started
        try:
            data = _DECODER.decode(body)
            new = new_job(data, None)
            prepared = await executor_of(plane).prepare(
                principal.tenant_id, data.connector, data.operation, data.payload
            )
            service.check_new_job(new, plane.network)
        except (msgspec.DecodeError, msgspec.ValidationError, Problem):
            await app(scope, replaying(body, receive), send)
            return
        await answer(scope, send, _queue(plane, principal, new, prepared))


async def _queue(
    plane: Plane, principal: Principal, new: service.NewJob, prepared: Prepared
) -> Answer:
    submitted = await plane.submitter.submit(Submission(principal.tenant_id, new, prepared.plan))
    location = f"{PATH}/{submitted.id}".encode()
    body = msgspec.json.encode(to_accepted(submitted))
    return 202, body, [*JSON_HEADERS, (b"location", location)]
