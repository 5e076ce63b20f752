"""Per-process parts of the jobs plane in the exec-api: wake-ups, the event hub, SSRF policy.

Built on first use from the process's ``Resources``; the hub's task joins
``resources.timers``, so it stops when the resources close at shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import State

from orchestrator.core.auth.limits import StreamSlots
from orchestrator.core.db.autocommit import AutocommitConnection
from orchestrator.core.db.tenant_reads import reads_connection
from orchestrator.core.events.hub import EventHub
from orchestrator.core.events.wake import Waker
from orchestrator.core.execution.executor import Executor
from orchestrator.core.execution.runtime import ExecutionRuntime
from orchestrator.core.jobs.status_reads import JobReads, job_reads
from orchestrator.core.runtime import Resources
from orchestrator.core.tenancy.own_workspace import WorkspaceReads, workspace_reads
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.exec_api.jobs.submitter import JobSubmitter

_STATE_KEY = "jobs_plane"


@dataclass(frozen=True)
class Plane:
    """What the jobs and events controllers share in one process."""

    resources: Resources
    executor: Executor
    """The process's executor (the exec-api always opens the exec plane)."""
    waker: Waker
    hub: EventHub
    network: NetworkPolicy
    submitter: JobSubmitter
    """Group-commits single job submissions."""
    stream_slots: StreamSlots
    """Concurrent SSE streams per token, counted in Redis."""
    reads: AutocommitConnection
    """The connection the grouped reads below share (closed with the app)."""
    jobs: JobReads
    """Jobs by id, read in groups (``GET /api/v1/jobs/{id}``)."""
    workspace: WorkspaceReads
    """The caller's workspace, read in groups (``GET /api/v1/workspace``)."""


def plane_of(request: Request[Any, Any, Any]) -> Plane:
    """The process's plane, created on first use."""
    return plane_in(request.app.state)


def plane_in(state: State) -> Plane:
    """The plane kept in an app's ``state``, created on first use."""
    plane: Plane | None = state.get(_STATE_KEY)
    if plane is None:
        resources: Resources = state.resources
        namespace = resources.settings.redis.namespace
        waker = Waker(resources.redis, namespace)
        network = NetworkPolicy.from_settings(resources.settings.upstream)
        execution = resources.execution
        assert isinstance(execution, ExecutionRuntime)
        reads = reads_connection(resources.settings.db)
        plane = Plane(
            resources=resources,
            executor=execution.executor,
            waker=waker,
            hub=EventHub(resources.redis, namespace),
            network=network,
            submitter=JobSubmitter(
                resources.sessions, AutocommitConnection(resources.settings.db), waker
            ),
            stream_slots=StreamSlots(
                resources.redis,
                namespace,
                per_token=resources.settings.auth.streams_per_token,
            ),
            reads=reads,
            jobs=job_reads(reads.use),
            workspace=workspace_reads(reads.use),
        )
        resources.timers.append(plane.hub.start())
        state[_STATE_KEY] = plane
    return plane


@asynccontextmanager
async def closing_plane(app: Litestar) -> AsyncIterator[None]:
    """Lifespan: close the plane's connections at shutdown, if a request opened them."""
    try:
        yield
    finally:
        plane: Plane | None = app.state.get(_STATE_KEY)
        if plane is not None:
            await plane.reads.close()
            await plane.submitter.close()


async def provide_plane(request: Request[Any, Any, Any]) -> Plane:
    """Dependency: the process's plane."""
    return plane_of(request)
