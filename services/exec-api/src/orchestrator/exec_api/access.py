"""Who may call the exec-api's routes (the ``opt`` of each, by token scope), and the
route that queues work, declared once."""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.handlers import HTTPRouteHandler

from orchestrator.core.auth.claims import EXEC_AUDIENCE
from orchestrator.core.http.auth import authenticated, guarded
from orchestrator.core.http.problems import problem_responses


def may(scope: str | None = None) -> dict[str, Any]:
    """The ``opt`` of a route for an exec token carrying ``scope`` (any exec token: none)."""
    return guarded(authenticated(EXEC_AUDIENCE, scope))


JOBS_WRITE = may("jobs:write")
JOBS_READ = may("jobs:read")
EVENTS_READ = may("events:read")

QUEUES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
"""The problems of a route that queues work from a body (a job, a batch, a workflow run)."""


def queues(path: str | None = None, **options: Any) -> HTTPRouteHandler:
    """A ``POST`` that queues work: ``202`` once it is stored, for a ``jobs:write`` token."""
    return post(path, opt=JOBS_WRITE, status_code=202, responses=QUEUES, **options)
