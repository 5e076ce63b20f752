"""A failure that says PostgreSQL or Redis did not answer is a 503, wherever it is raised.

The request deadline itself (a 503 for a request not answering within
``ORCH_REQUEST_DEADLINE_S``) is kept by ``http/guard.py``; these are the framework's
exception handlers for the same failures raised inside a route (``core/dependencies.py``
says which failures they are).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from orchestrator.core.dependencies import failure_detail, is_dependency_failure, unavailable
from orchestrator.core.http.problems import handle_problem, handle_unexpected


def handle_dependency_failure(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """PostgreSQL or Redis did not answer: 503 with ``Retry-After``; anything else: 500."""
    if not is_dependency_failure(exc):
        return handle_unexpected(request, exc)
    retry_after_s = request.app.state.resources.settings.deployment.retry_after_s
    return handle_problem(request, unavailable(retry_after_s, failure_detail(exc)))


DEPENDENCY_HANDLERS: ExceptionHandlersMap = {Exception: handle_dependency_failure}
"""Every exception without a handler of its own is asked whether it is a dependency
failure before it is answered as a bug (``create_service_app`` adds this in place of
``handle_unexpected``): keyed by ``Exception``, not by the drivers' types, so no driver is
imported to build the map (``core/dependencies.py``)."""
