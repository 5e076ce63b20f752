"""``POST /api/v1/jobs`` and ``GET /api/v1/jobs/{job_id}`` on the fast path
(``core/http/fast_path.py``, ADR 0038).

The plain submission — a token with ``jobs:write``, a JSON body, no ``Idempotency-Key``
— goes through ``checked_job`` then ``queue_checked``, as ``JobController.submit`` does;
anything refused before the job is queued goes to that route with its body, which
answers it as documented. The plain read — a token with ``jobs:read``, an id that is a
UUID — goes through ``read_job``, as ``JobController.get_job`` does.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar

from orchestrator.core.auth.claims import Principal
from orchestrator.core.execution.calls import Prepared
from orchestrator.core.http.fast_path import JSON_HEADERS, Answer
from orchestrator.core.jobs.status_reads import read_job
from orchestrator.core.jobs.submission import NewJob
from orchestrator.exec_api.fast_route import PlainRoute
from orchestrator.exec_api.jobs.controllers import (
    PATH,
    checked_job,
    job_location,
    queue_checked,
    to_accepted,
)
from orchestrator.exec_api.jobs.schemas import JobCreate
from orchestrator.exec_api.plane import plane_in

if TYPE_CHECKING:
    from litestar.types import Scope

_DECODER = msgspec.json.Decoder(JobCreate)
_PREFIX = PATH + "/"


class FastSubmit(PlainRoute[tuple[NewJob, Prepared]]):
    """The fast route of ``POST /api/v1/jobs``."""

    scope_name = "jobs:write"

    async def check(
        self, app: Litestar, scope: Scope, principal: Principal, body: bytes
    ) -> tuple[NewJob, Prepared]:
        """The job, its operation and payload checked (the route answers 404 and 422)."""
        return await checked_job(plane_in(app.state), principal.tenant_id, _DECODER.decode(body))

    async def run(
        self, app: Litestar, principal: Principal, checked: tuple[NewJob, Prepared]
    ) -> Answer:
        """Queue the job with the group commit; 202 once it committed."""
        submitted = await queue_checked(plane_in(app.state), principal.tenant_id, *checked)
        location = job_location(submitted.id).encode()
        body = msgspec.json.encode(to_accepted(submitted))
        return 202, body, [*JSON_HEADERS, (b"location", location)]


class FastJob(PlainRoute[uuid.UUID]):
    """The fast route of ``GET /api/v1/jobs/{job_id}``."""

    scope_name = "jobs:read"
    takes_body = False

    async def check(
        self, app: Litestar, scope: Scope, principal: Principal, body: bytes
    ) -> uuid.UUID:
        """The job's id (anything but a UUID is the route's 400)."""
        return uuid.UUID(scope["path"][len(_PREFIX) :])

    async def run(self, app: Litestar, principal: Principal, checked: uuid.UUID) -> Answer:
        """The job, or the 404 of one the workspace does not have."""
        job = await read_job(plane_in(app.state).jobs, principal.tenant_id, checked)
        return 200, msgspec.json.encode(job), JSON_HEADERS
