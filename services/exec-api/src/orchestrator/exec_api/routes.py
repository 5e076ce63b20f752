"""The exec-api's route table: the framework's route handlers, and the fast adapter of each
hot route beside them (ADR 0038, ADR 0070).

Each hot operation is one core function (``call_now``, ``checked_job`` and
``queue_checked``, ``read_job``, ``read_own``) that the framework's handler and the fast
route both call; the fast route only serves the plain case and hands the rest to the
handler. ``tests/integration/test_route_parity.py`` sends the same requests through both
and compares the answers, for every fast route listed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from litestar.types import ControllerRouterHandler

from orchestrator.core.http.fast_path import FastRoute
from orchestrator.exec_api.events.controllers import EventController
from orchestrator.exec_api.execute import controllers as execute
from orchestrator.exec_api.execute.fast import FastExecute
from orchestrator.exec_api.jobs import controllers as jobs
from orchestrator.exec_api.jobs.fast import FastJob, FastSubmit
from orchestrator.exec_api.workflows.controllers import get_run, start_run
from orchestrator.exec_api.workspace import controllers as workspace
from orchestrator.exec_api.workspace.fast import FastWorkspace

HANDLERS: Sequence[ControllerRouterHandler] = (
    workspace.own_workspace,
    execute.execute,
    jobs.JobController,
    EventController,
    start_run,
    get_run,
)


def fast_routes(max_body_bytes: int, max_json_depth: int) -> Mapping[tuple[str, str], FastRoute]:
    """The fast route of each hot ``(method, path)``, as the framework writes its path."""
    limits = (max_body_bytes, max_json_depth)
    return {
        ("POST", execute.PATH): FastExecute(*limits),
        ("POST", jobs.PATH): FastSubmit(*limits),
        ("GET", jobs.JOB_PATH): FastJob(*limits),
        ("GET", workspace.PATH): FastWorkspace(*limits),
    }
