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
from orchestrator.core.execution.calls import Prepared
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer
from orchestrator.core.jobs.submission import NewJob, check_new_job
from orchestrator.exec_api.fast_route import PlainRoute
from orchestrator.exec_api.jobs.controllers import executor_of, new_job, to_accepted
from orchestrator.exec_api.jobs.schemas import JobCreate
from orchestrator.exec_api.jobs.submitter import Submission
from orchestrator.exec_api.plane import plane_in

if TYPE_CHECKING:
    pass

PATH = "/api/v1/jobs"
SCOPE = "jobs:write"
_DECODER = msgspec.json.Decoder(JobCreate)


class FastSubmit(PlainRoute[tuple[NewJob, Prepared]]):
    """The fast route of ``POST /api/v1/jobs``."""

    scope_name = SCOPE

    async def check(
        self, app: Litestar, principal: Principal, body: bytes
    ) -> tuple[NewJob, Prepared]:
        """The job, its operation and payload checked (the route answers 404 and 422)."""
        data = _DECODER.decode(body)
        plane = plane_in(app.state)
        new = new_job(data, None)
        prepared = await executor_of(plane).prepare(
            principal.tenant_id, data.connector, data.operation, data.payload
        )
        check_new_job(new, plane.network)
        return new, prepared

    async def run(
        self, app: Litestar, principal: Principal, checked: tuple[NewJob, Prepared]
    ) -> Answer:
        """Queue the job with the group commit; 202 once it committed."""
        new, prepared = checked
        plane = plane_in(app.state)
        submission = Submission(principal.tenant_id, new, prepared.plan)
        submitted = await plane.submitter.submit(submission)
        location = f"{PATH}/{submitted.id}".encode()
        body = msgspec.json.encode(to_accepted(submitted))
        return 202, body, [*JSON_HEADERS, (b"location", location)]
